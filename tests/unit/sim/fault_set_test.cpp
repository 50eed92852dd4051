#include "engine/machine/sim/fault_set.h"

#include <gtest/gtest.h>

#include <set>

namespace damon::sim {
namespace {

TEST(FaultSet, RanksPermuteThePages) {
  for (uint64_t n : {1u, 2u, 7u, 512u, 1000u, 4099u}) {
    FaultSet fs(0, 0, 100, n, {}, 0, 9);
    std::set<uint64_t> ranks;
    for (uint64_t v = 100; v < 100 + n; ++v) {
      const uint64_t r = fs.rank_of(v);
      ASSERT_LT(r, n);
      ranks.insert(r);
      EXPECT_EQ(fs.vpage_of(r), v);
    }
    EXPECT_EQ(ranks.size(), n);
  }
}

TEST(FaultSet, NeighboursFaultFarApart) {
  FaultSet fs(0, 0, 0, 10000, {}, 0, 1);
  // The first hundred pages to come back are spread over the whole set.
  std::set<uint64_t> first;
  for (uint64_t r = 0; r < 100; ++r) first.insert(fs.vpage_of(r) / 1000);
  EXPECT_GE(first.size(), 8u);
}

TEST(FaultSet, FramesFollowFaultOrder) {
  FaultSet fs(0, 0, 0, 100, {}, 0, 1);
  fs.add_faulted(0, 500, 10);
  fs.add_faulted(0, 510, 5);  // contiguous: same run
  fs.add_faulted(1, 900, 5);
  EXPECT_EQ(fs.faulted(), 20u);
  EXPECT_EQ(fs.frame_of(0).pfn, 500u);
  EXPECT_EQ(fs.frame_of(14).pfn, 514u);
  EXPECT_EQ(fs.frame_of(15).node, 1);
  EXPECT_EQ(fs.frame_of(19).pfn, 904u);
}

TEST(FaultSet, GrowsWhileNothingCameBack) {
  FaultSet fs(0, 0, 10, 5, {}, 0, 1);
  fs.grow(8, 7);
  std::set<uint64_t> ranks;
  for (uint64_t v = 8; v < 15; ++v) ranks.insert(fs.rank_of(v));
  EXPECT_EQ(ranks.size(), 7u);
}

}  // namespace
}  // namespace damon::sim
