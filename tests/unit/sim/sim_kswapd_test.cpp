// SimMachine under numa_balancing: tiering: an allocation that takes the
// upper node under its low watermark wakes its kswapd, which demotes the
// node's coldest pages to the lower node (demotion_enabled) until the
// promotion watermark.
#include <gtest/gtest.h>

#include "engine/machine/sim/sim_machine.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

// DRAM nearly full of a cold region; a hot region on CXL that DAMOS
// promotes page by page.
Scenario nearly_full(bool numa_balancing) {
  Scenario s;
  s.machine = test::two_nodes(64 * kMiB, 64 * kMiB);
  for (NodeSpec& n : s.machine.nodes) n.bandwidth = 1e9;
  s.machine.numa_balancing = numa_balancing;
  RegionSpec hot = test::region("hot", 8 * kMiB);
  hot.node = 1;
  s.processes.push_back(test::steady_process(
      "w", {{hot, test::random_access(100)}, {test::region("cold", 60 * kMiB), test::random_access(0.01)}}));
  return s;
}

uint64_t resident(const SimMachine& m, int pid, const std::string& region, size_t node) {
  for (const RegionTruth& r : m.region_truth(pid))
    if (r.name == region) return r.resident_bytes[node];
  return 0;
}

// Promotes every page of "hot"; returns how many moved.
uint64_t promote_hot(SimMachine& m, int pid) {
  uint64_t moved = 0;
  for (const RegionTruth& r : m.region_truth(pid)) {
    if (r.name != "hot") continue;
    for (uint64_t a = r.vaddr.start; a < r.vaddr.end; a += kPage) moved += m.migrate(Space::process(pid), a, 0);
  }
  return moved;
}

TEST(SimKswapd, WithoutDemotionPromotionsStopAtTheMinWatermark) {
  ManualClock clock;
  SimMachine m(nearly_full(false), clock);
  const int pid = *m.pid_of("w");
  const uint64_t moved = promote_hot(m, pid);
  EXPECT_LT(moved, 4 * kMiB / kPage);  // the 4 MiB left on DRAM, less its min watermark
  EXPECT_EQ(resident(m, pid, "cold", 1), 0u);
}

TEST(SimKswapd, AllocationUnderTheLowWatermarkDemotesTheColdestPages) {
  ManualClock clock;
  SimMachine m(nearly_full(true), clock);
  const int pid = *m.pid_of("w");
  const uint64_t free_before = m.nodes()[0].free_bytes;
  EXPECT_EQ(promote_hot(m, pid), 8 * kMiB / kPage);
  EXPECT_EQ(resident(m, pid, "hot", 0), 8 * kMiB);
  // kswapd made the room from the cold region, no more than it took to
  // stay near the promotion watermark: DRAM keeps a little free memory.
  const uint64_t free_after = m.nodes()[0].free_bytes;
  EXPECT_GT(free_after, 0u);
  EXPECT_LT(free_after, 2 * kMiB);
  EXPECT_EQ(resident(m, pid, "cold", 1), 8 * kMiB - free_before + free_after);
}

}  // namespace
}  // namespace damon::sim
