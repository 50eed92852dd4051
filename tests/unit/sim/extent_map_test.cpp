// ExtentMap: splitting a process's runs of pages where actions start and
// end, and merging them back.
#include "engine/machine/sim/extent_map.h"

#include <gtest/gtest.h>

namespace damon::sim {
namespace {

Extent resident(uint64_t pages, uint64_t pfn, uint32_t region = 0) {
  Extent e;
  e.pages = pages;
  e.region = region;
  e.pfn = pfn;
  return e;
}

Extent paged_out(uint64_t pages, std::shared_ptr<FaultSet> fs) {
  Extent e;
  e.pages = pages;
  e.lazy = true;
  e.fs = std::move(fs);
  return e;
}

std::shared_ptr<FaultSet> fault_set(uint64_t first, uint64_t count) {
  return std::make_shared<FaultSet>(0, 0, first, count, AccessSchedule::Progress{}, 0, 1);
}

TEST(ExtentMap, FindsTheExtentOfAPageAndNothingInGaps) {
  ExtentMap m;
  m.insert(100, resident(10, 5000));
  m.insert(200, resident(10, 6000));
  EXPECT_EQ((*m.find(105))->first, 100u);
  EXPECT_EQ((*m.find(209))->first, 200u);
  EXPECT_FALSE(m.find(99));
  EXPECT_FALSE(m.find(110));
  EXPECT_FALSE(m.find(210));
  EXPECT_EQ(m.at(109)->first, 100u);
}

TEST(ExtentMap, SplitKeepsFramesInOrder) {
  ExtentMap m;
  m.insert(100, resident(10, 5000));
  auto right = m.split(104);
  EXPECT_EQ(right->first, 104u);
  EXPECT_EQ(right->second.pages, 6u);
  EXPECT_EQ(right->second.pfn, 5004u);
  EXPECT_EQ(m.at(100)->second.pages, 4u);
  EXPECT_EQ(m.split(104), right);  // already a boundary
  EXPECT_EQ(m.size(), 2u);
  // Outside every extent: the next one, or end().
  EXPECT_EQ(m.split(50), m.begin());
  EXPECT_EQ(m.split(110), m.end());
}

TEST(ExtentMap, PagedOutExtentsSplitWithoutFrames) {
  ExtentMap m;
  auto fs = fault_set(100, 10);
  m.insert(100, paged_out(10, fs));
  auto right = m.split(103);
  EXPECT_TRUE(right->second.lazy);
  EXPECT_EQ(right->second.fs, fs);
  EXPECT_EQ(right->second.pfn, 0u);
}

TEST(ExtentMap, CarveMakesARangeWholeExtents) {
  ExtentMap m;
  m.insert(0, resident(kHugePages * 4, 0));
  auto it = m.carve(kHugePages, kHugePages * 2);
  EXPECT_EQ(it->first, kHugePages);
  EXPECT_EQ(it->second.pages, kHugePages * 2);
  EXPECT_EQ(it->second.pfn, kHugePages);
  EXPECT_EQ(m.size(), 3u);
}

TEST(ExtentMap, MergesOnlyWhatContinuesExactly) {
  ExtentMap m;
  m.insert(0, resident(4, 1000));
  m.insert(8, resident(4, 2000));  // other frames
  m.insert(12, resident(4, 2004, 1));  // other region
  Extent active = resident(4, 2008, 1);
  active.active = true;
  m.insert(16, active);  // other LRU list
  for (uint64_t v : {8, 12, 16}) m.merge_around(m.at(v));
  EXPECT_EQ(m.size(), 4u);
  m.merge_around(m.insert(4, resident(4, 1004)));  // the next frames: joins
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m.at(0)->second.pages, 8u);
  EXPECT_EQ(m.at(8)->first, 8u);
  EXPECT_EQ(m.at(12)->first, 12u);
  EXPECT_EQ(m.at(16)->first, 16u);
}

TEST(ExtentMap, PagedOutPagesMergeWithinTheirFaultSet) {
  ExtentMap m;
  auto a = fault_set(0, 8), b = fault_set(8, 4);
  m.insert(0, paged_out(4, a));
  auto second = m.insert(4, paged_out(4, a));
  m.insert(8, paged_out(4, b));
  m.merge_around(second);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at(0)->second.pages, 8u);
  EXPECT_EQ(m.at(8)->second.fs, b);
}

}  // namespace
}  // namespace damon::sim
