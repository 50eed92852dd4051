// SimMachine: accessed bits, ground truth, determinism, process ends.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/machine/sim/sim_machine.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

// hot: 100 accesses/page/s, cold: 1/s, 64 MiB each, on one DRAM node.
Scenario hot_cold(uint64_t seed = 3) {
  Scenario s;
  s.seed = seed;
  s.machine = test::two_nodes(1 * kGiB, 1 * kGiB);
  s.processes.push_back(test::steady_process(
      "hc", {{test::region("hot", 64 * kMiB), test::random_access(100)},
             {test::region("cold", 64 * kMiB), test::random_access(1)}}));
  return s;
}

AddrRange region_range(const SimMachine& m, int pid, const std::string& name) {
  for (const RegionTruth& r : m.region_truth(pid)) {
    if (r.name == name) return r.vaddr;
  }
  ADD_FAILURE() << "no region " << name;
  return {};
}

std::vector<uint64_t> spread(AddrRange r, size_t n) {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(r.start + (r.size() / n) * i);
  return out;
}

double fraction(const YoungBits& v) {
  return static_cast<double>(std::count(v.begin(), v.end(), true)) / static_cast<double>(v.size());
}

TEST(SimAccess, YoungIsTheGroundTruthSinceMkold) {
  ManualClock clock(1000000);
  SimMachine m(hot_cold(), clock);
  const int pid = *m.pid_of("hc");
  const auto addrs = spread(region_range(m, pid, "hot"), 2000);
  const uint64_t t0 = clock.now_us();
  m.mkold(Space::process(pid), addrs);
  clock.advance(5000);
  YoungBits young;
  m.young(Space::process(pid), addrs, young);
  for (size_t i = 0; i < addrs.size(); ++i) {
    EXPECT_EQ(young[i], m.touched(Space::process(pid), addrs[i], t0, clock.now_us())) << i;
  }
  // 100/s over 5 ms.
  EXPECT_NEAR(fraction(young), 1 - std::exp(-0.5), 0.04);
  // Reading does not clear: later reads only add pages.
  clock.advance(5000);
  YoungBits later;
  m.young(Space::process(pid), addrs, later);
  for (size_t i = 0; i < addrs.size(); ++i) EXPECT_TRUE(!young[i] || later[i]);
  EXPECT_GT(fraction(later), fraction(young));
}

TEST(SimAccess, HotPagesLookHotterThanCold) {
  ManualClock clock(1000000);
  SimMachine m(hot_cold(), clock);
  const int pid = *m.pid_of("hc");
  const auto hot = spread(region_range(m, pid, "hot"), 1000);
  const auto cold = spread(region_range(m, pid, "cold"), 1000);
  m.mkold(Space::process(pid), hot);
  m.mkold(Space::process(pid), cold);
  clock.advance(20000);
  YoungBits yh, yc;
  m.young(Space::process(pid), hot, yh);
  m.young(Space::process(pid), cold, yc);
  EXPECT_NEAR(fraction(yh), 1 - std::exp(-2.0), 0.05);
  EXPECT_NEAR(fraction(yc), 1 - std::exp(-0.02), 0.015);
}

TEST(SimAccess, PhysicalAndVirtualViewsShareAccessedBits) {
  ManualClock clock(1000000);
  SimMachine m(hot_cold(), clock);
  const int pid = *m.pid_of("hc");
  const auto virt = spread(region_range(m, pid, "hot"), 500);
  std::vector<uint64_t> phys;
  for (uint64_t va : virt) phys.push_back(m.page(Space::process(pid), va)->phys_addr);
  m.mkold(Space::phys(), phys);
  clock.advance(5000);
  YoungBits yv, yp;
  m.young(Space::process(pid), virt, yv);
  m.young(Space::phys(), phys, yp);
  EXPECT_EQ(yv, yp);
  // Free physical memory is never young.
  YoungBits free_young;
  m.young(Space::phys(), std::vector<uint64_t>{m.phys_ranges()[0].end - kPage}, free_young);
  EXPECT_FALSE(free_young[0]);
}

TEST(SimAccess, TestAndClearYoungClears) {
  ManualClock clock(1000000);
  SimMachine m(hot_cold(), clock);
  const int pid = *m.pid_of("hc");
  const uint64_t a = region_range(m, pid, "hot").start;
  clock.advance(1000000);  // never cleared: young since the start
  EXPECT_TRUE(m.test_and_clear_young(Space::process(pid), a));
  EXPECT_FALSE(m.test_and_clear_young(Space::process(pid), a));
}

// DAMOS's young filters clear every folio of the regions they walk and
// check them again an apply interval later: each of those clears must be
// remembered, however many folios were walked.
TEST(SimAccess, EveryClearOfAGibibyteWalkIsRemembered) {
  Scenario s;
  s.machine = test::two_nodes(2 * kGiB, 1 * kGiB);
  s.processes.push_back(test::steady_process("big", {{test::region("cold", 1 * kGiB), test::random_access(0.05)}}));
  ManualClock clock(100000000);  // 100 s in: a clear forgotten looks back this far
  SimMachine m(s, clock);
  const Space space = Space::process(*m.pid_of("big"));
  const AddrRange r = region_range(m, space.pid, "cold");
  for (uint64_t a = r.start; a < r.end; a += kPage) m.test_and_clear_young(space, a);
  clock.advance(1000000);
  size_t young = 0;
  for (uint64_t a = r.start; a < r.end; a += kPage) young += m.test_and_clear_young(space, a);
  // 0.05 accesses per page per second, over one second.
  EXPECT_NEAR(static_cast<double>(young) / static_cast<double>(r.size() / kPage), 1 - std::exp(-0.05), 0.005);
}

TEST(SimAccess, SameSeedSameAnswersOtherSeedOtherAnswers) {
  auto run = [](uint64_t seed) {
    ManualClock clock(1000000);
    SimMachine m(hot_cold(seed), clock);
    const int pid = *m.pid_of("hc");
    const auto addrs = spread(region_range(m, pid, "hot"), 300);
    m.mkold(Space::process(pid), addrs);
    clock.advance(3000);
    YoungBits y;
    m.young(Space::process(pid), addrs, y);
    return y;
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

TEST(SimAccess, TouchedBytesFollowIntensity) {
  ManualClock clock(1000000);
  SimMachine m(hot_cold(), clock);
  const int pid = *m.pid_of("hc");
  const AddrRange hot = region_range(m, pid, "hot"), cold = region_range(m, pid, "cold");
  const uint64_t t0 = clock.now_us(), t1 = t0 + 10000;
  EXPECT_NEAR(static_cast<double>(m.touched_bytes(Space::process(pid), hot, t0, t1)) / static_cast<double>(hot.size()),
              1 - std::exp(-1.0), 0.02);
  EXPECT_NEAR(static_cast<double>(m.touched_bytes(Space::process(pid), cold, t0, t1)) / static_cast<double>(cold.size()),
              1 - std::exp(-0.01), 0.003);
  // The physical view of the same pages tells the same.
  const uint64_t p0 = m.page(Space::process(pid), hot.start)->phys_addr;
  EXPECT_EQ(m.touched_bytes(Space::phys(), {p0, p0 + 256 * kPage}, t0, t1),
            m.touched_bytes(Space::process(pid), {hot.start, hot.start + 256 * kPage}, t0, t1));
}

TEST(SimAccess, RegionTruthFollowsPhases) {
  ManualClock clock(0);
  SimMachine m(default_scenario(), clock);
  const int pid = *m.pid_of("phaseshift");
  auto region = [&](const std::string& name) {
    for (const RegionTruth& r : m.region_truth(pid)) {
      if (r.name == name) return r;
    }
    return RegionTruth{};
  };
  EXPECT_EQ(region("a").phase, "a-hot");
  EXPECT_EQ(region("a").access.intensity, 100);
  clock.advance(15000000);
  EXPECT_EQ(region("b").phase, "b-scan");
  EXPECT_EQ(region("b").access.pattern, Pattern::sequential);
  clock.advance(10000000);
  EXPECT_EQ(region("a").phase, "a-hot");  // loops
}

TEST(SimAccess, SequentialScanTouchesAMovingBand) {
  ManualClock clock(0);
  SimMachine m(default_scenario(), clock);
  const int pid = *m.pid_of("phaseshift");
  const AddrRange b = region_range(m, pid, "b");
  clock.advance(15000000);  // in b-scan: 20 sweeps of b per second
  const uint64_t t0 = clock.now_us();
  // 10 ms: a fifth of the region, in one band (possibly wrapping).
  EXPECT_NEAR(static_cast<double>(m.touched_bytes(Space::process(pid), b, t0, t0 + 10000)),
              0.2 * static_cast<double>(b.size()), 2 * kPage);
  int edges = 0;
  bool prev = m.touched(Space::process(pid), b.end - kPage, t0, t0 + 10000);
  for (uint64_t a = b.start; a < b.end; a += kPage) {
    const bool hit = m.touched(Space::process(pid), a, t0, t0 + 10000);
    edges += hit != prev;
    prev = hit;
  }
  EXPECT_EQ(edges, 2);
}

TEST(SimAccess, KilledAndFinishedProcessesAreGone) {
  ManualClock clock(0);
  Scenario s = hot_cold();
  ProcessSpec once = test::steady_process("once", {{test::region("r", 4 * kMiB), test::random_access(10)}});
  once.phases[0].duration_us = 2000000;
  once.loop = false;
  s.processes.push_back(once);
  SimMachine m(s, clock);
  const int hc = *m.pid_of("hc"), o = *m.pid_of("once");
  const uint64_t free_before = m.nodes()[0].free_bytes;

  clock.advance(1999999);
  EXPECT_TRUE(m.task_exists(o));
  clock.advance(1);
  EXPECT_FALSE(m.task_exists(o));
  EXPECT_TRUE(m.vmas(o).empty());
  EXPECT_GT(m.nodes()[0].free_bytes, free_before + 4 * kMiB - 1);  // its memory is free again

  EXPECT_TRUE(m.kill(hc));
  EXPECT_FALSE(m.kill(hc));
  EXPECT_FALSE(m.task_exists(hc));
  YoungBits y;
  m.young(Space::process(hc), std::vector<uint64_t>{0x400000}, y);
  EXPECT_FALSE(y[0]);
  EXPECT_EQ(m.nodes()[0].free_bytes, m.nodes()[0].total_bytes);
}

}  // namespace
}  // namespace damon::sim
