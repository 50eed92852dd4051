// SimMachine: processes, mappings, physical layout, placement.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/machine/sim/sim_machine.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

TEST(SimLayout, DefaultScenarioProcessesHaveSyntheticPids) {
  ManualClock clock(1000);
  SimMachine m(default_scenario(), clock);
  EXPECT_EQ(m.kind(), "sim");
  const auto procs = m.processes();
  ASSERT_EQ(procs.size(), 2u);
  for (const SimProcessInfo& p : procs) {
    EXPECT_GE(p.pid, kSyntheticPidBase);
    EXPECT_TRUE(p.alive);
    EXPECT_TRUE(m.task_exists(p.pid));
  }
  EXPECT_EQ(m.pid_of("hotcold"), procs[0].pid);
  EXPECT_FALSE(m.pid_of("nosuch"));
  EXPECT_FALSE(m.task_exists(12345));
  EXPECT_TRUE(m.vmas(12345).empty());
}

TEST(SimLayout, MappingsLookLikeAProcessWithHeapMmapAreaAndStack) {
  ManualClock clock;
  SimMachine m(default_scenario(), clock);
  const int pid = *m.pid_of("phaseshift");
  const auto vmas = m.vmas(pid);
  ASSERT_GE(vmas.size(), 5u);
  for (size_t i = 1; i < vmas.size(); ++i) EXPECT_LT(vmas[i - 1].end, vmas[i].start);  // sorted, gaps
  EXPECT_TRUE(std::any_of(vmas.begin(), vmas.end(), [](const Vma& v) { return v.name == "[heap]"; }));
  EXPECT_EQ(vmas.back().name, "[stack]");
  EXPECT_FALSE(vmas.front().anon);  // program text

  // vaddr's initial regions: the two largest gaps frame the mmap area,
  // which holds exactly the scenario's regions (a and b, 128 MiB each).
  std::vector<std::pair<uint64_t, size_t>> gaps;
  for (size_t i = 1; i < vmas.size(); ++i) gaps.push_back({vmas[i].start - vmas[i - 1].end, i});
  std::sort(gaps.rbegin(), gaps.rend());
  const size_t lo = std::min(gaps[0].second, gaps[1].second), hi = std::max(gaps[0].second, gaps[1].second);
  uint64_t middle = 0;
  for (size_t i = lo; i < hi; ++i) middle += vmas[i].end - vmas[i].start;
  EXPECT_EQ(middle, 256 * kMiB);
  EXPECT_EQ(vmas[lo].start % (2 * kMiB), 0u);
}

TEST(SimLayout, PhysicalMemoryCoversTheProbeRangeAndNodesFollowEachOther) {
  ManualClock clock;
  SimMachine m(default_scenario(), clock);
  const auto ranges = m.phys_ranges();
  ASSERT_EQ(ranges.size(), 1u);  // the nodes are contiguous
  EXPECT_LE(ranges[0].start, 4 * kGiB);
  EXPECT_GE(ranges[0].end, 5 * kGiB);
  EXPECT_EQ(m.node_range(0)->end, m.node_range(1)->start);
  EXPECT_EQ(m.node_range(1)->end, ranges[0].end);
  EXPECT_FALSE(m.node_range(7));

  const auto nodes = m.nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].total_bytes, 4 * kGiB);
  EXPECT_FALSE(nodes[1].has_cpu);
  // Everything fits in DRAM: node 1 is untouched; node 0 holds the regions
  // plus each process's program, heap and stack.
  EXPECT_EQ(nodes[1].free_bytes, nodes[1].total_bytes);
  const uint64_t used = nodes[0].total_bytes - nodes[0].free_bytes;
  EXPECT_GE(used, (64 + 448 + 256) * kMiB);
  EXPECT_LT(used, (64 + 448 + 256 + 16) * kMiB);
}

TEST(SimLayout, PagesTranslateBothWays) {
  ManualClock clock;
  SimMachine m(default_scenario(), clock);
  const int pid = *m.pid_of("hotcold");
  const auto regions = m.region_truth(pid);
  const auto hot = std::find_if(regions.begin(), regions.end(), [](const RegionTruth& r) { return r.name == "hot"; });
  ASSERT_NE(hot, regions.end());
  const uint64_t va = hot->vaddr.start + 123 * kPage;
  const auto page = m.page(Space::process(pid), va + 17);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->present);
  EXPECT_EQ(page->node, 0);
  EXPECT_EQ(page->vaddr, va);
  EXPECT_EQ(page->region, "hot");
  const auto back = m.page(Space::phys(), page->phys_addr);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pid, pid);
  EXPECT_EQ(back->vaddr, va);
  EXPECT_FALSE(m.page(Space::process(pid), 0x100));           // unmapped
  EXPECT_FALSE(m.page(Space::phys(), m.phys_ranges()[0].end - kPage));  // free frame
}

TEST(SimLayout, WorkloadLargerThanDramSpillsToTheNextNode) {
  ManualClock clock;
  const Scenario s = load_scenario((test::scenarios_dir() / "tiering.yaml").string());
  SimMachine m(s, clock);
  const int pid = *m.pid_of("kvstore");
  const auto nodes = m.nodes();
  // DRAM filled first, down to its min watermark (kept free, like the kernel).
  EXPECT_GT(nodes[0].free_bytes, 0u);
  EXPECT_LT(nodes[0].free_bytes, nodes[0].total_bytes / 200);
  EXPECT_GT(nodes[1].total_bytes - nodes[1].free_bytes, 900 * kMiB);
  for (const RegionTruth& r : m.region_truth(pid)) {
    if (r.name == "slab2") {
      EXPECT_EQ(r.resident_bytes[0], 0u);
      EXPECT_EQ(r.resident_bytes[1], 768 * kMiB);
    }
    if (r.name == "index") {
      EXPECT_EQ(r.resident_bytes[0], 256 * kMiB);
      EXPECT_EQ(r.active_bytes, 256 * kMiB);
    }
  }
}

TEST(SimLayout, PreferredNodeAndFit) {
  ManualClock clock;
  Scenario s;
  s.machine = test::two_nodes(1 * kGiB, 1 * kGiB);
  RegionSpec far = test::region("far", 64 * kMiB);
  far.node = 1;
  s.processes.push_back(test::steady_process("p", {{far, test::random_access(1)}}));
  {
    SimMachine m(s, clock);
    EXPECT_EQ(m.region_truth(*m.pid_of("p"))[3].resident_bytes[1], 64 * kMiB);
  }
  s.processes[0].regions[0].size = 3 * kGiB;
  EXPECT_THROW(SimMachine(s, clock), ScenarioError);
}

TEST(SimLayout, ReservedMemoryIsNeitherFreeNorAFolio) {
  ManualClock clock;
  Scenario s;
  s.machine = test::two_nodes(1 * kGiB, 1 * kGiB);
  s.machine.nodes[0].reserved = 64 * kMiB;
  SimMachine m(s, clock);
  EXPECT_EQ(m.nodes()[0].free_bytes, 1 * kGiB - 64 * kMiB);
  const uint64_t base = m.node_range(0)->start;
  EXPECT_TRUE(m.folios(Space::phys(), {base, base + 64 * kMiB}).empty());
  EXPECT_FALSE(m.page(Space::phys(), base));
}

TEST(SimLayout, MovableNodeKeepsOnlyATokenWatermark) {
  // 256 MiB of DRAM and 256 MiB of CXL onlined movable: min_free_kbytes =
  // sqrt(16 x 256 MiB in KiB) = 2 MiB comes from DRAM alone and stays
  // there; CXL keeps its size / 1024 pages (64) and fills up to them.
  ManualClock clock;
  Scenario s;
  s.machine = test::two_nodes(256 * kMiB, 256 * kMiB);
  s.machine.nodes[1].movable = true;
  s.processes.push_back(test::steady_process("p", {{test::region("heap", 400 * kMiB), test::random_access(1)}}));
  SimMachine m(s, clock);
  EXPECT_EQ(m.nodes()[0].free_bytes, 2 * kMiB);
  const AddrRange heap = m.region_truth(*m.pid_of("p"))[3].vaddr;
  for (uint64_t a = heap.start; a < heap.end; a += test::kPage) m.migrate(Space::process(*m.pid_of("p")), a, 1);
  EXPECT_EQ(m.nodes()[1].free_bytes, 64 * test::kPage);

  s.machine.nodes[1].reserved = 4 * kMiB;  // the kernel keeps none there
  EXPECT_THROW(SimMachine(s, clock), ScenarioError);
  s.machine.nodes[1].reserved = 0;
  s.machine.nodes[0].movable = true;  // no memory left for the kernel
  EXPECT_THROW(SimMachine(s, clock), ScenarioError);
}

TEST(SimLayout, NothingGrowsWithMemorySize) {
  // A 1 TiB machine with a 768 GiB process is as cheap to build and query
  // as a small one: memory is tracked by extents.
  ManualClock clock;
  Scenario s;
  s.machine = test::two_nodes(512 * kGiB, 512 * kGiB);
  s.processes.push_back(test::steady_process("big", {{test::region("heap", 768 * kGiB), test::random_access(0.1)}}));
  SimMachine m(s, clock);
  const int pid = *m.pid_of("big");
  const RegionTruth heap = m.region_truth(pid)[3];
  EXPECT_EQ(heap.resident_bytes[0] + heap.resident_bytes[1], 768 * kGiB);
  std::vector<uint64_t> addrs;
  for (uint64_t i = 0; i < 1000; ++i) addrs.push_back(heap.vaddr.start + i * (heap.vaddr.size() / 1000));
  m.mkold(Space::process(pid), addrs);
  clock.advance(5000);
  YoungBits young;
  m.young(Space::process(pid), addrs, young);
  EXPECT_EQ(young.size(), 1000u);
  EXPECT_EQ(m.page(Space::process(pid), heap.vaddr.start)->node, 0);
  EXPECT_TRUE(m.migrate(Space::process(pid), heap.vaddr.start, 1));
  EXPECT_EQ(m.page(Space::process(pid), heap.vaddr.start)->node, 1);
}

}  // namespace
}  // namespace damon::sim
