#include "engine/ops/vaddr.h"

#include <gtest/gtest.h>

#include "core_fixture.h"

namespace damon {
namespace {

using test::vma;

std::vector<AddrRange> ranges_of(const std::vector<Region>& regions) {
  std::vector<AddrRange> out;
  for (const Region& r : regions) out.push_back(r.ar);
  return out;
}

TEST(ThreeRegions, AroundTheTwoLargestGaps) {
  const std::vector<Vma> vmas{vma(10, 20), vma(20, 25), vma(200, 210), vma(210, 220), vma(300, 305), vma(307, 330)};
  const auto three = three_regions(vmas, 1);
  ASSERT_TRUE(three);
  EXPECT_EQ((*three)[0], (AddrRange{10, 25}));
  EXPECT_EQ((*three)[1], (AddrRange{200, 220}));
  EXPECT_EQ((*three)[2], (AddrRange{300, 330}));
}

TEST(ThreeRegions, GapsAreOrderedByAddressAndBoundsAlignedUp) {
  // The larger gap comes second in address order.
  const std::vector<Vma> vmas{vma(4096, 8192), vma(12288, 16384), vma(1 << 20, (1 << 20) + 100)};
  const auto three = three_regions(vmas, 4096);
  ASSERT_TRUE(three);
  EXPECT_EQ((*three)[0], (AddrRange{4096, 8192}));
  EXPECT_EQ((*three)[1], (AddrRange{12288, 16384}));
  EXPECT_EQ((*three)[2], (AddrRange{1 << 20, (1 << 20) + 4096}));
}

TEST(ThreeRegions, NeedsTwoGaps) {
  EXPECT_FALSE(three_regions(std::vector<Vma>{}, 4096));
  EXPECT_FALSE(three_regions(std::vector<Vma>{vma(0, 4096)}, 4096));
  EXPECT_FALSE(three_regions(std::vector<Vma>{vma(0, 4096), vma(8192, 12288)}, 4096));
  EXPECT_FALSE(three_regions(std::vector<Vma>{vma(0, 4096), vma(4096, 8192), vma(8192, 12288)}, 4096));
}

Region make(uint64_t start, uint64_t end) {
  Region r;
  r.ar = {start, end};
  return r;
}

TEST(EvenlySplit, EqualPiecesLastTakesRemainder) {
  std::vector<Region> rs{make(0, 100)};
  evenly_split_region(rs, 0, 10, 1);
  ASSERT_EQ(rs.size(), 10u);
  for (size_t i = 0; i < rs.size(); ++i) EXPECT_EQ(rs[i].ar, (AddrRange{i * 10, i * 10 + 10}));

  rs = {make(5, 59)};
  evenly_split_region(rs, 0, 5, 1);
  EXPECT_EQ(ranges_of(rs), (std::vector<AddrRange>{{5, 15}, {15, 25}, {25, 35}, {35, 45}, {45, 59}}));
}

TEST(EvenlySplit, TooSmallStaysWhole) {
  std::vector<Region> rs{make(5, 6)};
  evenly_split_region(rs, 0, 2, 1);
  EXPECT_EQ(ranges_of(rs), (std::vector<AddrRange>{{5, 6}}));
  evenly_split_region(rs, 0, 0, 1);
  EXPECT_EQ(rs.size(), 1u);
}

TEST(EvenlySplit, RoundingToTheUnitCanYieldMorePieces) {
  // 10 pages in 6 pieces: one page each after alignment, so 10 pieces.
  std::vector<Region> rs{make(0, 10 * 4096)};
  evenly_split_region(rs, 0, 6, 4096);
  EXPECT_EQ(rs.size(), 10u);
  EXPECT_EQ(rs.back().ar.end, 10u * 4096);
}

TEST(EvenlySplit, KeepsNeighbours) {
  std::vector<Region> rs{make(0, 10), make(10, 40), make(40, 50)};
  evenly_split_region(rs, 1, 3, 1);
  EXPECT_EQ(ranges_of(rs), (std::vector<AddrRange>{{0, 10}, {10, 20}, {20, 30}, {30, 40}, {40, 50}}));
}

}  // namespace
}  // namespace damon
