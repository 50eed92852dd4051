// SimMachine: the performance model turns placement into a score.
#include <gtest/gtest.h>

#include "engine/machine/sim/sim_machine.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

// A hot region that starts on the slow node, and a cold one on DRAM.
Scenario misplaced() {
  Scenario s;
  s.machine = test::two_nodes(64 * kMiB, 64 * kMiB);
  RegionSpec hot = test::region("hot", 8 * kMiB);
  hot.node = 1;
  s.processes.push_back(test::steady_process(
      "w", {{hot, test::random_access(100)}, {test::region("cold", 8 * kMiB), test::random_access(0)}}));
  return s;
}

AddrRange hot_range(const SimMachine& m, int pid) {
  for (const RegionTruth& r : m.region_truth(pid)) {
    if (r.name == "hot") return r.vaddr;
  }
  return {};
}

TEST(SimPerf, PromotingTheHotSetLowersLatency) {
  ManualClock c1, c2;
  SimMachine before(misplaced(), c1), after(misplaced(), c2);
  const int pid = *after.pid_of("w");
  const AddrRange hot = hot_range(after, pid);
  for (uint64_t a = hot.start; a < hot.end; a += kPage) ASSERT_TRUE(after.migrate(Space::process(pid), a, 0));
  c1.advance(10000000);
  c2.advance(10000000);
  const PerfScore slow = before.perf(pid), fast = after.perf(pid);
  // Same work either way (the access schedule does not depend on placement).
  EXPECT_DOUBLE_EQ(slow.accesses, fast.accesses);
  EXPECT_GT(slow.accesses, 100.0 * 2048 * 10 * 0.99);
  // Nearly all accesses hit the hot region: ~300 ns on CXL, ~100 on DRAM.
  EXPECT_GT(slow.mean_latency_ns, 290);
  EXPECT_LT(fast.mean_latency_ns, 110);
  EXPECT_GT(fast.accesses_per_sec, 2.5 * slow.accesses_per_sec);
  EXPECT_NEAR(before.perf_total().mean_latency_ns, slow.mean_latency_ns, 1e-9);
}

TEST(SimPerf, FaultsCostTheFaultLatency) {
  ManualClock clock;
  Scenario s = misplaced();
  s.machine.fault_latency_ns = 50000;
  SimMachine m(s, clock);
  const int pid = *m.pid_of("w");
  const AddrRange hot = hot_range(m, pid);
  EXPECT_EQ(m.madvise(pid, hot, Action::pageout), hot.size());
  clock.advance(1000000);
  const PerfScore p = m.perf(pid);
  EXPECT_GT(p.faults, 2000u);  // nearly the whole 2048-page region came back
  EXPECT_LE(p.faults, 2048u);
  // Each fault adds 50 us to the latency total.
  EXPECT_GT(p.mean_latency_ns * p.accesses, 50000.0 * static_cast<double>(p.faults));
  EXPECT_GT(m.psi_some_total_us(), 50u * 2000u);
}

}  // namespace
}  // namespace damon::sim
