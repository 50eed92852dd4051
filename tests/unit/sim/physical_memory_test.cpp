// PhysicalMemory: node layout, min watermarks, allocation and the reverse
// map from frames to process pages.
#include "engine/machine/sim/physical_memory.h"

#include <gtest/gtest.h>

#include "engine/machine/sim/extent_map.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

uint64_t total(const std::vector<FrameRun>& runs) {
  uint64_t n = 0;
  for (const FrameRun& r : runs) n += r.count;
  return n;
}

// 1 GiB of DRAM (64 MiB reserved) and 12 MiB of CXL.
MachineSpec machine() {
  MachineSpec m = test::two_nodes(kGiB, 12 * kMiB);
  m.nodes[0].reserved = 64 * kMiB;
  return m;
}

TEST(PhysicalMemory, LaysNodesOutFromThePhysicalBase) {
  const PhysicalMemory mem(machine());
  ASSERT_EQ(mem.nodes().size(), 2u);
  EXPECT_EQ(mem.nodes()[0].first_pfn, 4 * kGiB / kPage);
  EXPECT_EQ(mem.nodes()[0].pages, kGiB / kPage);
  EXPECT_EQ(mem.nodes()[1].first_pfn, (4 * kGiB + kGiB) / kPage);
  EXPECT_EQ(mem.free_pages(0), (kGiB - 64 * kMiB) / kPage);
  EXPECT_EQ(mem.free_pages(1), 12 * kMiB / kPage);
  EXPECT_EQ(mem.node_index(1), 1u);
  EXPECT_EQ(mem.node_index(7), std::nullopt);
  // Each node falls back to itself first, then to the faster others.
  EXPECT_EQ(mem.nodes()[1].fallback, (std::vector<size_t>{1, 0}));
}

TEST(PhysicalMemory, MinWatermarksFollowTheKernel) {
  // sqrt(16 x 1 GiB in KiB) = 4096 KiB for the only non-movable node, and
  // 12 MiB / 1024 = 3 pages for a movable one, raised to 32.
  MachineSpec m = machine();
  m.nodes[1].movable = true;
  const PhysicalMemory mem(m);
  EXPECT_EQ(mem.min_free(0), 4096 * 1024 / kPage);
  EXPECT_EQ(mem.min_free(1), 32u);
  EXPECT_EQ(mem.watermark_gap(0), 262u);  // 0.1 % of the node, above min / 4 = 256
  EXPECT_EQ(mem.watermark_gap(1), 8u);    // min / 4, above 0.1 % of the node
  // Not movable: both nodes share sqrt(16 x 1036 MiB in KiB) = 4119 KiB,
  // 1029 pages, by size: 12/1036 of it is 11.9 pages.
  const PhysicalMemory shared(machine());
  EXPECT_EQ(shared.min_free(1), 11u);
  EXPECT_EQ(shared.min_free(0), 1017u);
}

TEST(PhysicalMemory, AllocationStopsAtTheMinWatermark) {
  PhysicalMemory mem(machine());
  const uint64_t usable = mem.free_pages(1) - mem.min_free(1);
  EXPECT_EQ(mem.usable(1), usable);
  EXPECT_EQ(total(mem.allocate(1, mem.free_pages(1), 1)), usable);
  EXPECT_EQ(mem.usable(1), 0u);
  EXPECT_TRUE(mem.allocate(1, 1, 1).empty());
  EXPECT_EQ(mem.free_pages(1), mem.min_free(1));
}

TEST(PhysicalMemory, HugeAllocationsAreAlignedAndSmallOnesContinue) {
  PhysicalMemory mem(machine());
  // The CXL node has 3061 usable frames: whole blocks only.
  const auto huge = mem.allocate(1, 6 * kHugePages, kHugePages);
  EXPECT_EQ(total(huge), 5 * kHugePages);
  for (const FrameRun& r : huge) EXPECT_EQ(r.pfn % kHugePages, 0u);
  const auto a = mem.allocate(0, 10, 1), b = mem.allocate(0, 10, 1);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].pfn, a[0].pfn + 10);
  // A hole before the last allocation is not taken while the frames after
  // it are free: growing allocations stay contiguous.
  mem.give_back(a[0].pfn, 10);
  EXPECT_EQ(mem.allocate(0, 5, 1)[0].pfn, b[0].pfn + 10);
}

TEST(PhysicalMemory, ReverseMapFindsPagesAndForgetsErasedFrames) {
  PhysicalMemory mem(machine());
  const uint64_t pfn = mem.allocate(0, 10, 1)[0].pfn;
  // Two runs that continue each other, as two placements would add them.
  mem.rmap_add(pfn, FrameOwner{5, 2, false, 100, nullptr});
  mem.rmap_add(pfn + 5, FrameOwner{5, 2, false, 105, nullptr});
  const auto page = mem.page_of(pfn + 7);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->proc, 2u);
  EXPECT_EQ(page->vpage, 107u);
  EXPECT_FALSE(mem.page_of(pfn + 10));
  EXPECT_FALSE(mem.page_of(pfn - 1));

  mem.rmap_erase(pfn + 3, 3);
  EXPECT_EQ(mem.page_of(pfn + 2)->vpage, 102u);
  EXPECT_FALSE(mem.page_of(pfn + 4));
  EXPECT_EQ(mem.page_of(pfn + 6)->vpage, 106u);
  EXPECT_EQ(mem.next_owned(pfn + 2), pfn + 2);
  EXPECT_EQ(mem.next_owned(pfn + 3), pfn + 6);
  EXPECT_EQ(mem.next_owned(pfn + 10), std::nullopt);
}

TEST(PhysicalMemory, FramesOfAFaultSetMapToItsPages) {
  PhysicalMemory mem(machine());
  const uint64_t pfn = mem.allocate(0, 4, 1)[0].pfn;
  auto fs = std::make_shared<FaultSet>(0, 0, 1000, 64, AccessSchedule::Progress{}, 0, 42);
  // Ranks 10..13 came back in these frames.
  mem.rmap_add(pfn, FrameOwner{4, 0, true, 10, fs});
  for (uint64_t i = 0; i < 4; ++i) EXPECT_EQ(mem.page_of(pfn + i)->vpage, fs->vpage_of(10 + i)) << i;
}

TEST(PhysicalMemory, ReleasingAProcessFreesOnlyItsFrames) {
  PhysicalMemory mem(machine());
  const uint64_t free0 = mem.free_pages(0);
  const uint64_t a = mem.allocate(0, 8, 1)[0].pfn, b = mem.allocate(0, 8, 1)[0].pfn;
  mem.rmap_add(a, FrameOwner{8, 0, false, 0, nullptr});
  mem.rmap_add(b, FrameOwner{8, 1, false, 0, nullptr});
  mem.release_process(0);
  EXPECT_EQ(mem.free_pages(0), free0 - 8);
  EXPECT_FALSE(mem.page_of(a));
  EXPECT_EQ(mem.page_of(b)->proc, 1u);
}

}  // namespace
}  // namespace damon::sim
