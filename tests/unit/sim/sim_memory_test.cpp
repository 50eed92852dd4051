// SimMachine: placement changes — migration, pageout and faults, LRU lists,
// huge pages, folios, memcg accounting.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "engine/machine/sim/sim_machine.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

constexpr uint64_t kSec = 1000000;

struct Fixture {
  explicit Fixture(Scenario s) : m(s, clock) {}
  ManualClock clock{kSec};
  SimMachine m;

  RegionTruth region(int pid, const std::string& name) const {
    for (const RegionTruth& r : m.region_truth(pid)) {
      if (r.name == name) return r;
    }
    ADD_FAILURE() << "no region " << name;
    return {};
  }
};

// One process "p" (cgroup /jobs/p) with a hot and a cold 8 MiB region on a
// 256 MiB DRAM node, and a 12 MiB CXL node.
Scenario small(bool thp = false) {
  Scenario s;
  s.machine = test::two_nodes(256 * kMiB, 12 * kMiB);
  RegionSpec hot = test::region("hot", 8 * kMiB), cold = test::region("cold", 8 * kMiB);
  hot.thp = cold.thp = thp;
  s.processes.push_back(test::steady_process("p", {{hot, test::random_access(1000)}, {cold, test::random_access(0)}}));
  s.processes[0].cgroup = "/jobs/p";
  return s;
}

TEST(SimMemory, MigrateMovesPagesAndChecksCapacity) {
  Fixture f(small());
  const int pid = *f.m.pid_of("p");
  const AddrRange hot = f.region(pid, "hot").vaddr;
  const uint64_t free0 = f.m.nodes()[0].free_bytes, free1 = f.m.nodes()[1].free_bytes;
  for (uint64_t a = hot.start; a < hot.start + 100 * kPage; a += kPage) {
    ASSERT_TRUE(f.m.migrate(Space::process(pid), a, 1));
  }
  EXPECT_EQ(f.m.nodes()[0].free_bytes, free0 + 100 * kPage);
  EXPECT_EQ(f.m.nodes()[1].free_bytes, free1 - 100 * kPage);
  EXPECT_EQ(f.region(pid, "hot").resident_bytes[1], 100 * kPage);
  const auto page = f.m.page(Space::process(pid), hot.start + 5 * kPage);
  EXPECT_EQ(page->node, 1);
  EXPECT_GE(page->phys_addr, f.m.node_range(1)->start);
  // Already there, unknown node: nothing to do.
  EXPECT_FALSE(f.m.migrate(Space::process(pid), hot.start, 1));
  EXPECT_FALSE(f.m.migrate(Space::process(pid), hot.start, 9));
  // Back through the physical address.
  EXPECT_TRUE(f.m.migrate(Space::phys(), page->phys_addr, 0));
  EXPECT_EQ(f.m.page(Space::process(pid), hot.start + 5 * kPage)->node, 0);

  // The 12 MiB CXL node fills up: the 16 MiB of the process do not fit.
  // Migration stops at the node's min watermark, a small reserve the kernel
  // keeps free, like every allocation.
  uint64_t moved = 0;
  const AddrRange cold = f.region(pid, "cold").vaddr;
  for (const AddrRange r : {hot, cold}) {
    for (uint64_t a = r.start; a < r.end; a += kPage) moved += f.m.migrate(Space::process(pid), a, 1);
  }
  const uint64_t reserve = f.m.nodes()[1].free_bytes;
  EXPECT_GT(reserve, 0u);
  EXPECT_LT(reserve, 12 * kMiB / 50);
  EXPECT_EQ(moved, (12 * kMiB - reserve) / kPage - 99);  // until full (99 pages were there)
}

TEST(SimMemory, PageoutThenFaultsBringHotPagesBack) {
  Fixture f(small());
  const int pid = *f.m.pid_of("p");
  const AddrRange hot = f.region(pid, "hot").vaddr, cold = f.region(pid, "cold").vaddr;
  const uint64_t free0 = f.m.nodes()[0].free_bytes;
  for (const AddrRange r : {hot, cold}) {
    for (uint64_t a = r.start; a < r.end; a += kPage) ASSERT_TRUE(f.m.pageout(Space::process(pid), a));
  }
  EXPECT_FALSE(f.m.pageout(Space::process(pid), hot.start));  // not present any more
  EXPECT_EQ(f.m.nodes()[0].free_bytes, free0 + 16 * kMiB);
  EXPECT_EQ(f.region(pid, "hot").nonresident_bytes, 8 * kMiB);
  EXPECT_FALSE(f.m.page(Space::process(pid), hot.start)->present);
  const auto folios = f.m.folios(Space::process(pid), {hot.start, hot.start + 4 * kPage});
  ASSERT_EQ(folios.size(), 4u);
  EXPECT_FALSE(folios[0].present);
  EXPECT_EQ(f.m.psi_some_total_us(), 0u);

  // 1000 accesses/page/s: after 10 ms nearly everything hot is back, with
  // a fault each; the untouched cold region stays out.
  f.clock.advance(10000);
  const RegionTruth h = f.region(pid, "hot");
  EXPECT_LT(h.nonresident_bytes, 8 * kMiB / 10000 + kPage);
  EXPECT_EQ(h.resident_bytes[0], 8 * kMiB - h.nonresident_bytes);
  EXPECT_EQ(f.region(pid, "cold").nonresident_bytes, 8 * kMiB);
  EXPECT_EQ(f.m.nodes()[0].free_bytes, free0 + 8 * kMiB + h.nonresident_bytes);
  EXPECT_GT(f.m.perf(pid).faults, 2000u);
  EXPECT_GT(f.m.psi_some_total_us(), 0u);
  EXPECT_LE(f.m.psi_some_total_us(), 10000u);  // never more than wall time
  // A page back in memory is present again, in a frame the reverse map knows.
  uint64_t present = 0;
  for (uint64_t a = hot.start; a < hot.end; a += kPage) {
    const auto pg = f.m.page(Space::process(pid), a);
    if (!pg->present) continue;
    ++present;
    const auto back = f.m.page(Space::phys(), pg->phys_addr);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->vaddr, a);
  }
  EXPECT_EQ(present * kPage, h.resident_bytes[0]);
  // Faulted pages can be acted on again.
  uint64_t a = hot.start;
  while (!f.m.page(Space::process(pid), a)->present) a += kPage;
  EXPECT_TRUE(f.m.migrate(Space::process(pid), a, 1));
  EXPECT_TRUE(f.m.pageout(Space::process(pid), a + 0));
}

TEST(SimMemory, LruListsFollowActions) {
  Fixture f(small());
  const int pid = *f.m.pid_of("p");
  const AddrRange hot = f.region(pid, "hot").vaddr;
  const uint64_t inactive0 = f.m.inactive_lru_bytes();
  EXPECT_EQ(f.m.active_lru_bytes(), 0u);
  for (uint64_t a = hot.start; a < hot.start + 10 * kPage; a += kPage) {
    EXPECT_TRUE(f.m.set_lru(Space::process(pid), a, true));
  }
  EXPECT_EQ(f.m.active_lru_bytes(), 10 * kPage);
  EXPECT_EQ(f.m.inactive_lru_bytes(), inactive0 - 10 * kPage);
  EXPECT_TRUE(f.m.page(Space::process(pid), hot.start)->active);
  EXPECT_EQ(f.m.madvise(pid, {hot.start, hot.start + 4 * kPage}, Action::cold), 4 * kPage);
  EXPECT_EQ(f.m.active_lru_bytes(), 6 * kPage);
}

TEST(SimMemory, MadvisePageoutIsAllOrNothingOverUnmappedParts) {
  Fixture f(small());
  const int pid = *f.m.pid_of("p");
  const AddrRange hot = f.region(pid, "hot").vaddr, cold = f.region(pid, "cold").vaddr;
  EXPECT_EQ(f.m.madvise(pid, hot, Action::pageout), hot.size());
  EXPECT_EQ(f.region(pid, "hot").nonresident_bytes, hot.size());
  // The gap between the regions makes the call fail, after advising the
  // mapped part.
  const AddrRange both{std::min(hot.start, cold.start), std::max(hot.end, cold.end)};
  EXPECT_EQ(f.m.madvise(pid, both, Action::pageout), 0u);
  EXPECT_EQ(f.region(pid, "cold").nonresident_bytes, cold.size());
  EXPECT_EQ(f.m.madvise(pid, hot, Action::willneed), hot.size());
  EXPECT_EQ(f.m.madvise(pid, hot, Action::lru_prio), 0u);
  EXPECT_EQ(f.m.madvise(pid + 1000, hot, Action::pageout), 0u);
}

TEST(SimMemory, HugePagesOnlyWhereTheRegionIs2MiBAligned) {
  // cold (5 MiB) lies right below hot (3 MiB, 2 MiB aligned), so it starts
  // 1 MiB off a 2 MiB boundary: small pages up to the boundary, huge ones
  // after it. hot has huge pages over its first 2 MiB, small ones after.
  Scenario s = small(true);
  s.processes[0].regions[0].size = 3 * kMiB;
  s.processes[0].regions[1].size = 5 * kMiB;
  s.processes[0].regions[1].adjoin = true;
  Fixture f(s);
  const int pid = *f.m.pid_of("p");
  const AddrRange hot = f.region(pid, "hot").vaddr, cold = f.region(pid, "cold").vaddr;
  EXPECT_EQ(cold.end, hot.start);
  EXPECT_EQ(cold.start % (2 * kMiB), 1 * kMiB);
  EXPECT_EQ(f.region(pid, "cold").huge_bytes, 4 * kMiB);
  EXPECT_FALSE(f.m.page(Space::process(pid), cold.start + 1 * kMiB - kPage)->huge);
  EXPECT_TRUE(f.m.page(Space::process(pid), cold.start + 1 * kMiB)->huge);
  EXPECT_TRUE(f.m.page(Space::process(pid), cold.end - kPage)->huge);
  EXPECT_EQ(f.region(pid, "hot").huge_bytes, 2 * kMiB);
  EXPECT_FALSE(f.m.page(Space::process(pid), hot.start + 2 * kMiB)->huge);
}

TEST(SimMemory, HugePagesAreWholeFolios) {
  Fixture f(small(true));
  const int pid = *f.m.pid_of("p");
  const AddrRange hot = f.region(pid, "hot").vaddr;
  EXPECT_EQ(f.region(pid, "hot").huge_bytes, 8 * kMiB);
  const auto folios = f.m.folios(Space::process(pid), {hot.start + kPage, hot.start + 3 * kMiB});
  ASSERT_EQ(folios.size(), 2u);
  EXPECT_EQ(folios[0].addr, hot.start);
  EXPECT_EQ(folios[0].size, 2 * kMiB);
  const auto page = f.m.page(Space::process(pid), hot.start + 5 * kPage);
  EXPECT_TRUE(page->huge);
  EXPECT_EQ(page->phys_addr % (2 * kMiB), 5 * kPage);  // physically aligned too
  // A folio moves as a whole.
  EXPECT_TRUE(f.m.migrate(Space::process(pid), hot.start + 7 * kPage, 1));
  EXPECT_EQ(f.region(pid, "hot").resident_bytes[1], 2 * kMiB);
  EXPECT_TRUE(f.m.pageout(Space::phys(), f.m.page(Space::process(pid), hot.start)->phys_addr));
  EXPECT_EQ(f.region(pid, "hot").nonresident_bytes, 2 * kMiB);
  // Huge folios are young when any of their pages is.
  f.clock.advance(kSec);
  EXPECT_TRUE(f.m.test_and_clear_young(Space::process(pid), hot.end - kPage));
}

// Three regions of one THP mapping, each right below the one before as
// masim's are: a (3 MiB, 2 MiB aligned), b (5 MiB), c (4 MiB). The edge
// between c and b is 1 MiB off a 2 MiB boundary. b is busy, a and c idle.
Scenario one_mapping(bool thp) {
  Scenario s;
  s.machine = test::two_nodes(256 * kMiB, 12 * kMiB);
  RegionSpec a = test::region("a", 3 * kMiB), b = test::region("b", 5 * kMiB), c = test::region("c", 4 * kMiB);
  b.adjoin = c.adjoin = true;
  a.thp = b.thp = c.thp = thp;
  s.processes.push_back(test::steady_process(
      "p", {{a, test::random_access(0)}, {b, test::random_access(1000)}, {c, test::random_access(0)}}));
  return s;
}

// The page just below the edge between c and b (c's), after checking the
// layout.
uint64_t edge_of(Fixture& f, int pid) {
  const AddrRange a = f.region(pid, "a").vaddr, b = f.region(pid, "b").vaddr, c = f.region(pid, "c").vaddr;
  EXPECT_EQ(b.end, a.start);
  EXPECT_EQ(c.end, b.start);
  EXPECT_EQ(b.start % (2 * kMiB), 1 * kMiB);
  return b.start;
}

TEST(SimMemory, HugeFoliosSpanTheEdgesBetweenRegionsOfOneMapping) {
  Fixture f(one_mapping(true));
  const int pid = *f.m.pid_of("p");
  const uint64_t edge = edge_of(f, pid);
  const Space space = Space::process(pid);
  // Huge folios wherever 2 MiB fits in the mapping, c's first MiB and a's
  // last being its ends; the folio over the edge holds 1 MiB of c and of b.
  EXPECT_EQ(f.region(pid, "c").huge_bytes, 3 * kMiB);
  EXPECT_EQ(f.region(pid, "b").huge_bytes, 5 * kMiB);
  EXPECT_EQ(f.region(pid, "a").huge_bytes, 2 * kMiB);
  const auto below = f.m.page(space, edge - kPage), above = f.m.page(space, edge);
  EXPECT_EQ(below->region, "c");
  EXPECT_EQ(above->region, "b");
  EXPECT_TRUE(below->huge);
  EXPECT_EQ(below->phys_addr % (2 * kMiB), 1 * kMiB - kPage);
  EXPECT_EQ(above->phys_addr, below->phys_addr + kPage);
  // Listed once, at its own address.
  const auto folios = f.m.folios(space, {edge - 2 * kMiB, edge + 2 * kMiB});
  ASSERT_EQ(folios.size(), 3u);
  EXPECT_EQ(folios[1].addr, edge - 1 * kMiB);
  EXPECT_EQ(folios[1].size, 2 * kMiB);

  // One accessed bit for the folio: c's part of it is young with b's
  // accesses, c's folio below it is not. DAMON's sampling and the
  // single-page check agree.
  f.m.mkold(space, std::vector<uint64_t>{edge - kMiB, edge - kMiB - kPage, edge + kMiB});
  f.clock.advance(5000);
  YoungBits young;
  f.m.young(space, std::vector<uint64_t>{edge - kMiB, edge - kMiB - kPage, edge + kMiB}, young);
  EXPECT_EQ(young, (YoungBits{true, false, true}));
  f.clock.advance(kSec);
  EXPECT_TRUE(f.m.test_and_clear_young(space, edge - kPage));
  EXPECT_FALSE(f.m.test_and_clear_young(space, edge - kMiB - kPage));
  EXPECT_FALSE(f.m.test_and_clear_young(space, f.region(pid, "a").vaddr.start));
}

TEST(SimMemory, WithoutHugePagesTheIdleNeighbourStaysIdle) {
  Fixture f(one_mapping(false));
  const int pid = *f.m.pid_of("p");
  const uint64_t edge = edge_of(f, pid);
  const Space space = Space::process(pid);
  EXPECT_FALSE(f.m.page(space, edge - kPage)->huge);
  f.m.mkold(space, std::vector<uint64_t>{edge - kPage, edge});
  f.clock.advance(kSec);
  YoungBits young;
  f.m.young(space, std::vector<uint64_t>{edge - kPage, edge}, young);
  EXPECT_EQ(young, (YoungBits{false, true}));
}

TEST(SimMemory, AFolioOverAnEdgeChangesAsAWhole) {
  Fixture f(one_mapping(true));
  const int pid = *f.m.pid_of("p");
  const uint64_t edge = edge_of(f, pid);
  const Space space = Space::process(pid);
  // Through either region's page: both parts change.
  EXPECT_TRUE(f.m.set_lru(space, edge, true));
  EXPECT_EQ(f.region(pid, "c").active_bytes, 1 * kMiB);
  EXPECT_EQ(f.region(pid, "b").active_bytes, 1 * kMiB);
  const uint64_t free1 = f.m.nodes()[1].free_bytes;
  EXPECT_TRUE(f.m.migrate(space, edge - kPage, 1));
  EXPECT_EQ(f.m.nodes()[1].free_bytes, free1 - 2 * kMiB);
  EXPECT_EQ(f.region(pid, "c").resident_bytes[1], 1 * kMiB);
  EXPECT_EQ(f.region(pid, "b").resident_bytes[1], 1 * kMiB);
  EXPECT_EQ(f.m.page(space, edge)->phys_addr, f.m.page(space, edge - kPage)->phys_addr + kPage);
  EXPECT_EQ(f.m.page(Space::phys(), f.m.page(space, edge)->phys_addr)->region, "b");
  // DAMOS split through b's range: the whole folio becomes base pages.
  EXPECT_EQ(f.m.madvise(pid, {edge + kPage, edge + 2 * kPage}, Action::split), kPage);
  EXPECT_EQ(f.region(pid, "c").huge_bytes, 2 * kMiB);
  EXPECT_EQ(f.region(pid, "b").huge_bytes, 4 * kMiB);
  EXPECT_EQ(f.m.page(space, edge)->node, 1);

  Fixture g(one_mapping(true));
  EXPECT_TRUE(g.m.pageout(Space::phys(), g.m.page(space, edge - kPage)->phys_addr));
  EXPECT_EQ(g.region(pid, "c").nonresident_bytes, 1 * kMiB);
  EXPECT_EQ(g.region(pid, "b").nonresident_bytes, 1 * kMiB);
  // MADV_PAGEOUT over c's idle pages takes the huge folios it touches whole.
  Fixture h(one_mapping(true));
  const AddrRange c = h.region(pid, "c").vaddr;
  EXPECT_EQ(h.m.madvise(pid, c, Action::pageout), c.size());
  EXPECT_EQ(h.region(pid, "c").nonresident_bytes, c.size());
  EXPECT_EQ(h.region(pid, "b").nonresident_bytes, 1 * kMiB);
}

TEST(SimMemory, CollapseMakesHugeFolios) {
  Fixture f(small(false));
  const int pid = *f.m.pid_of("p");
  const AddrRange cold = f.region(pid, "cold").vaddr;
  ASSERT_EQ(cold.start % (2 * kMiB), 0u);
  const uint64_t free0 = f.m.nodes()[0].free_bytes;
  EXPECT_EQ(f.m.madvise(pid, {cold.start, cold.start + 4 * kMiB + kPage}, Action::collapse), 4 * kMiB + kPage);
  EXPECT_EQ(f.region(pid, "cold").huge_bytes, 4 * kMiB);
  EXPECT_EQ(f.m.nodes()[0].free_bytes, free0);
  EXPECT_TRUE(f.m.page(Space::process(pid), cold.start)->huge);
  EXPECT_FALSE(f.m.page(Space::process(pid), cold.start + 4 * kMiB)->huge);
  // A paged-out page blocks the collapse of its chunk.
  f.m.pageout(Space::process(pid), cold.start + 5 * kMiB);
  EXPECT_EQ(f.m.madvise(pid, {cold.start + 4 * kMiB, cold.start + 6 * kMiB}, Action::collapse), 0u);
}

TEST(SimMemory, SplitTurnsHugeFoliosIntoBasePagesInPlace) {
  Fixture f(small(false));
  const int pid = *f.m.pid_of("p");
  const AddrRange cold = f.region(pid, "cold").vaddr;
  ASSERT_EQ(f.m.madvise(pid, {cold.start, cold.start + 6 * kMiB}, Action::collapse), 6 * kMiB);
  const uint64_t phys = f.m.page(Space::process(pid), cold.start + 3 * kMiB)->phys_addr;
  const uint64_t free0 = f.m.nodes()[0].free_bytes;
  // A range ending inside a huge folio splits that whole folio.
  EXPECT_EQ(f.m.madvise(pid, {cold.start + 2 * kMiB, cold.start + 3 * kMiB + kPage}, Action::split),
            kMiB + kPage);
  EXPECT_EQ(f.region(pid, "cold").huge_bytes, 4 * kMiB);
  EXPECT_TRUE(f.m.page(Space::process(pid), cold.start)->huge);
  EXPECT_FALSE(f.m.page(Space::process(pid), cold.start + 2 * kMiB)->huge);
  EXPECT_FALSE(f.m.page(Space::process(pid), cold.start + 3 * kMiB + kPage)->huge);
  EXPECT_TRUE(f.m.page(Space::process(pid), cold.start + 4 * kMiB)->huge);
  // The pages stay in their frames; nothing is freed or allocated.
  EXPECT_EQ(f.m.page(Space::process(pid), cold.start + 3 * kMiB)->phys_addr, phys);
  EXPECT_EQ(f.m.nodes()[0].free_bytes, free0);
  const auto folios = f.m.folios(Space::process(pid), {cold.start + 2 * kMiB, cold.start + 2 * kMiB + 2 * kPage});
  ASSERT_EQ(folios.size(), 2u);
  EXPECT_EQ(folios[0].size, kPage);
}

TEST(SimMemory, FoliosOfPhysicalMemory) {
  Fixture f(small());
  const AddrRange node1 = *f.m.node_range(1);
  EXPECT_TRUE(f.m.folios(Space::phys(), node1).empty());  // nothing there
  const AddrRange node0 = *f.m.node_range(0);
  const auto folios = f.m.folios(Space::phys(), node0);
  const uint64_t used = f.m.nodes()[0].total_bytes - f.m.nodes()[0].free_bytes;
  uint64_t bytes = 0;
  for (const FolioInfo& fo : folios) {
    bytes += fo.size;
    EXPECT_TRUE(fo.present);
    EXPECT_EQ(fo.node, 0);
    EXPECT_EQ(fo.memcg, "/jobs/p");
  }
  EXPECT_EQ(bytes, used);
  EXPECT_TRUE(std::is_sorted(folios.begin(), folios.end(),
                             [](const FolioInfo& a, const FolioInfo& b) { return a.addr < b.addr; }));
}

TEST(SimMemory, MemcgBytesPerNode) {
  Fixture f(small());
  const int pid = *f.m.pid_of("p");
  const uint64_t used = f.m.nodes()[0].total_bytes - f.m.nodes()[0].free_bytes;
  EXPECT_EQ(f.m.memcg_node_lru_bytes("/jobs/p", 0), used);
  EXPECT_EQ(f.m.memcg_node_lru_bytes("/jobs/p/\n", 0), used);
  EXPECT_EQ(f.m.memcg_node_lru_bytes("/jobs", 0), used);
  EXPECT_EQ(f.m.memcg_node_lru_bytes("/", 1), 0u);
  EXPECT_FALSE(f.m.memcg_node_lru_bytes("/job", 0));
  EXPECT_FALSE(f.m.memcg_node_lru_bytes("/other", 0));
  f.m.migrate(Space::process(pid), f.region(pid, "hot").vaddr.start, 1);
  EXPECT_EQ(f.m.memcg_node_lru_bytes("/jobs/p", 1), kPage);
}

}  // namespace
}  // namespace damon::sim
