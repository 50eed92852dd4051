// Seed reproduction: weighted interleave of a process's memory with vaddr
// migrate_hot and dests (the "alloc_data" functionality test of the interleave
// patch series; docs/engine.md, "Migration destinations"). Prints its figures.
#include <gtest/gtest.h>

#include <cstdio>

#include "engine/machine/sim/scenario.h"
#include "sim_driver.h"

namespace damon {
namespace {

using test::kSecond;

constexpr std::string_view kScenario = R"(
name: interleave
seed: 7
machine:
  nodes:
    - {id: 0, capacity: 4GiB, latency: 90ns, cpus: true}
    - {id: 1, capacity: 4GiB, latency: 140ns, cpus: false}
processes:
  - name: alloc_data
    regions:
      - {name: data, size: 1GiB, intensity: 2}
)";

class SeedInterleave : public ::testing::Test {
 protected:
  void SetUp() override {
    pid = *driver.machine().pid_of("alloc_data");
    params = test::seed_interleave_params(pid, {{0, 1}, {1, 1}});
  }

  double share_on(int nid) {
    const double on = static_cast<double>(test::resident_on(driver.machine(), pid, "data", nid));
    const double all = static_cast<double>(test::resident_on(driver.machine(), pid, "data", 0) +
                                           test::resident_on(driver.machine(), pid, "data", 1));
    return all ? on / all : 0;
  }

  // Runs `rounds` apply intervals, printing the migrated bytes of each.
  std::vector<uint64_t> run_rounds(size_t k, int rounds) {
    std::vector<uint64_t> migrated;
    uint64_t before = driver.schemes(k).stats()[0].sz_applied;
    for (int i = 0; i < rounds; ++i) {
      driver.run_for(params.attrs.aggr_us);
      const uint64_t now = driver.schemes(k).stats()[0].sz_applied;
      migrated.push_back(now - before);
      before = now;
    }
    std::printf("  migrated per 5 s interval (MiB):");
    for (uint64_t m : migrated) std::printf(" %lu", m >> 20);
    std::printf("\n");
    return migrated;
  }

  test::SimDriver driver{sim::parse_yaml_scenario(kScenario, "interleave.yaml")};
  int pid = 0;
  ContextParams params;
};

TEST_F(SeedInterleave, WeightsSplitTheDataAndCommitRebalances) {
  std::printf("[seed interleave] 1 GiB on node 0, vaddr migrate_hot dests {0:1, 1:1}\n");
  ASSERT_GT(share_on(0), 0.99);
  const size_t k = driver.start(params);
  ASSERT_NE(k, SIZE_MAX);

  std::vector<uint64_t> migrated = run_rounds(k, 8);
  std::printf("  node0 %.1f%%  node1 %.1f%%\n", 100 * share_on(0), 100 * share_on(1));
  EXPECT_NEAR(share_on(0), 0.50, 0.02);
  EXPECT_NEAR(share_on(1), 0.50, 0.02);
  // Once balanced, nothing moves any more.
  EXPECT_LT(migrated.back(), 1u << 20);
  EXPECT_LT(migrated[migrated.size() - 2], 1u << 20);

  std::printf("[seed interleave] commit dests {0:3, 1:1}\n");
  params.schemes[0].dests = {{0, 3}, {1, 1}};
  ASSERT_EQ(driver.commit(k, params), 0);
  migrated = run_rounds(k, 8);
  std::printf("  node0 %.1f%%  node1 %.1f%%\n", 100 * share_on(0), 100 * share_on(1));
  EXPECT_NEAR(share_on(0), 0.75, 0.02);
  EXPECT_NEAR(share_on(1), 0.25, 0.02);
  EXPECT_LT(migrated.back(), 1u << 20);
}

}  // namespace
}  // namespace damon
