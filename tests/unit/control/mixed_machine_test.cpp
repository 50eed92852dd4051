// MixedMachine: the default mount's routing of pids between the simulated
// machine and real processes.
#include "fs/control/mixed_machine.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/support/oracle_machine.h"

namespace damonfs::fs {
namespace {

using damon::ManualClock;
using damon::OpsId;
using damon::Space;
using damon::Vma;
namespace test = damon::test;

constexpr int kSimPid = 100, kRealPid = 200;

std::vector<Vma> one_vma(uint64_t start, uint64_t end) {
  Vma v;
  v.start = start;
  v.end = end;
  return {v};
}

class MixedMachineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = std::make_unique<test::OracleMachine>(clock);
    auto host = std::make_unique<test::OracleMachine>(clock);
    sim->add_process(kSimPid, one_vma(0x1000, 0x5000));
    host->add_process(kRealPid, one_vma(0x8000, 0x9000));
    // The same pid on both sides: the simulation's claim wins.
    host->add_process(kSimPid, one_vma(0xa000, 0xb000));
    sim->set_supported({OpsId::vaddr, OpsId::paddr});
    sim_ = sim.get();
    host_ = host.get();
    machine = std::make_unique<MixedMachine>(std::move(sim), std::vector<int>{kSimPid},
                                             std::move(host), "");
  }

  ManualClock clock{0};
  std::unique_ptr<MixedMachine> machine;
  test::OracleMachine* sim_ = nullptr;
  test::OracleMachine* host_ = nullptr;
};

TEST_F(MixedMachineTest, SimulatedPidsGoToTheSimulationOthersToTheHost) {
  ASSERT_EQ(machine->vmas(kSimPid).size(), 1u);
  EXPECT_EQ(machine->vmas(kSimPid)[0].start, 0x1000u);
  ASSERT_EQ(machine->vmas(kRealPid).size(), 1u);
  EXPECT_EQ(machine->vmas(kRealPid)[0].start, 0x8000u);
  const uint64_t addr = 0x8000;
  machine->mkold(Space::process(kRealPid), {&addr, 1});
  EXPECT_EQ(host_->calls().last_mkold_pid, kRealPid);
  EXPECT_EQ(sim_->calls().mkold, 0u);
  machine->mkold(Space::phys(), {&addr, 1});  // physical memory is the simulation's
  EXPECT_EQ(sim_->calls().mkold, 1u);
  EXPECT_EQ(machine->kind(), "fake");
  EXPECT_TRUE(machine->supports(OpsId::paddr));
}

TEST_F(MixedMachineTest, TaskExistsFollowsTheOwner) {
  EXPECT_TRUE(machine->task_exists(kSimPid));
  EXPECT_TRUE(machine->task_exists(kRealPid));
  EXPECT_FALSE(machine->task_exists(300));
  sim_->kill(kSimPid);  // ended in the simulation: not revived by the host's
  EXPECT_FALSE(machine->task_exists(kSimPid));
  host_->kill(kRealPid);
  EXPECT_FALSE(machine->task_exists(kRealPid));
}

TEST(MixedMachine, WithoutAHostRealPidsResolveToNothing) {
  ManualClock clock{0};
  auto sim = std::make_unique<test::OracleMachine>(clock);
  sim->add_process(kSimPid, one_vma(0x1000, 0x5000));
  MixedMachine machine(std::move(sim), {kSimPid}, nullptr, "no sampler");
  EXPECT_TRUE(machine.task_exists(kSimPid));
  EXPECT_FALSE(machine.task_exists(kRealPid));
  EXPECT_TRUE(machine.vmas(kRealPid).empty());
  damon::YoungBits young;
  const uint64_t addrs[2] = {0x1000, 0x2000};
  machine.young(Space::process(kRealPid), addrs, young);
  EXPECT_EQ(young, (damon::YoungBits{0, 0}));
  EXPECT_EQ(machine.host_missing(), "no sampler");
}

}  // namespace
}  // namespace damonfs::fs
