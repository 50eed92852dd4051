#include "engine/machine/sim/frame_allocator.h"

#include <gtest/gtest.h>

namespace damon::sim {
namespace {

uint64_t total(const std::vector<FrameRun>& runs) {
  uint64_t n = 0;
  for (const FrameRun& r : runs) n += r.count;
  return n;
}

TEST(FrameAllocator, TakesLowestFramesAndGivesBackCoalesced) {
  FrameAllocator a;
  a.add_node(1000, 100);
  a.add_node(1100, 50);
  EXPECT_EQ(a.node_of(1000), 0);
  EXPECT_EQ(a.node_of(1149), 1);
  EXPECT_EQ(a.node_of(1150), -1);

  auto r = a.take(0, 10);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].pfn, 1000u);
  EXPECT_EQ(a.free_frames(0), 90u);
  a.take(0, 10);
  a.give_back(1000, 10);
  // A hole at the start is used first again.
  EXPECT_EQ(a.take(0, 5)[0].pfn, 1000u);
  a.give_back(1000, 5);
  a.give_back(1010, 10);
  EXPECT_EQ(a.free_frames(0), 100u);
  EXPECT_EQ(total(a.take(0, 100)), 100u);
  EXPECT_EQ(a.take(0, 1).size(), 0u);  // full
  EXPECT_EQ(a.free_frames(1), 50u);
}

TEST(FrameAllocator, PartialWhenShortAndAcrossHoles) {
  FrameAllocator a;
  a.add_node(0, 30);
  a.take(0, 10);
  a.take(0, 10);
  a.give_back(0, 10);
  const auto r = a.take(0, 25);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(total(r), 20u);
}

TEST(FrameAllocator, AlignedBlocks) {
  FrameAllocator a;
  a.add_node(3, 2000);  // [3, 2003): aligned 512-blocks at 512 and 1024
  const auto r = a.take(0, 1024, 512);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].pfn, 512u);
  EXPECT_EQ(r[0].count, 1024u);
  EXPECT_TRUE(a.take(0, 512, 512).empty());
  EXPECT_EQ(a.free_frames(0), 2000u - 1024u);
}

TEST(FrameAllocator, HintKeepsAllocationsContiguous) {
  FrameAllocator a;
  a.add_node(0, 100);
  a.take(0, 10);
  a.give_back(0, 5);
  const auto r = a.take(0, 3, 1, 10);
  EXPECT_EQ(r[0].pfn, 10u);
}

}  // namespace
}  // namespace damon::sim
