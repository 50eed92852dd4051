// Simulated processes backed by real stub processes.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/machine/sim/sim_machine.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

std::string read_proc(int pid, const char* file) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls until the simulated process is seen gone (the stub has to die and
// be reaped); false if that takes more than ten seconds.
bool gone_soon(const SimMachine& m, int pid) {
  for (int i = 0; i < 1000; ++i) {
    if (!m.task_exists(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(SimStubs, StubsCarryTheNameAndTheMappings) {
  ManualClock clock;
  SimMachine m(default_scenario(), clock, test::with_stubs());
  for (const SimProcessInfo& p : m.processes()) {
    EXPECT_LT(p.pid, kSyntheticPidBase);
    EXPECT_EQ(read_proc(p.pid, "comm"), p.name + "\n");
    const std::string maps = read_proc(p.pid, "maps");
    for (const RegionTruth& r : m.region_truth(p.pid)) {
      if (r.name.front() == '[') continue;  // best-effort system mappings
      char head[64];
      std::snprintf(head, sizeof(head), "%lx-%lx ---p", static_cast<unsigned long>(r.vaddr.start),
                    static_cast<unsigned long>(r.vaddr.end));
      EXPECT_NE(maps.find(head), std::string::npos) << p.name << " lacks " << head << "\n" << maps;
    }
  }
}

TEST(SimStubs, KillingTheStubEndsTheProcess) {
  ManualClock clock;
  SimMachine m(default_scenario(), clock, test::with_stubs());
  const int victim = *m.pid_of("hotcold"), other = *m.pid_of("phaseshift");
  const uint64_t free0 = m.nodes()[0].free_bytes;
  ASSERT_EQ(::kill(victim, SIGTERM), 0);
  EXPECT_TRUE(gone_soon(m, victim));
  EXPECT_TRUE(m.vmas(victim).empty());
  EXPECT_GT(m.nodes()[0].free_bytes, free0);
  EXPECT_TRUE(m.task_exists(other));

  // Ending it from the simulator kills and reaps the stub.
  ASSERT_TRUE(m.kill(other));
  EXPECT_EQ(::kill(other, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(SimStubs, StubsEndWithTheMachine) {
  ManualClock clock;
  int pid;
  {
    SimMachine m(default_scenario(), clock, test::with_stubs());
    pid = *m.pid_of("hotcold");
    EXPECT_EQ(::kill(pid, 0), 0);
  }
  EXPECT_EQ(::kill(pid, 0), -1);
}

TEST(SimStubs, StubOutlivesNoDaemon) {
  // A stub whose daemon dies (here: a forked child that never cleans up)
  // exits on its own once the daemon's end of the socket closes.
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  const pid_t daemon = fork();
  ASSERT_GE(daemon, 0);
  if (daemon == 0) {
    try {
      // Never destroyed: the "daemon" dies without ending its stubs.
      static ManualClock clock;
      auto* m = new SimMachine(default_scenario(), clock, test::with_stubs());
      const int stub = *m->pid_of("hotcold");
      if (write(pipefd[1], &stub, sizeof(stub)) != sizeof(stub)) _exit(1);
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
  close(pipefd[1]);
  int stub = 0;
  const ssize_t got = read(pipefd[0], &stub, sizeof(stub));
  close(pipefd[0]);
  int st;
  waitpid(daemon, &st, 0);
  ASSERT_EQ(got, static_cast<ssize_t>(sizeof(stub))) << "the daemon could not start its stubs";
  // The stub was the daemon's child; it is reparented and reaped by init
  // (or a subreaper) after it exits.
  bool exited = false;
  for (int i = 0; i < 1000 && !exited; ++i) {
    exited = ::kill(stub, 0) == -1 || read_proc(stub, "stat").find(") Z") != std::string::npos;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(exited);
}

}  // namespace
}  // namespace damon::sim
