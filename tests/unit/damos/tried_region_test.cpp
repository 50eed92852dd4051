#include <gtest/gtest.h>

#include "engine/damos/tried_regions_walk.h"

namespace damon {
namespace {

Region region_with_hits() {
  Region r;
  r.ar = {0, 4096};
  r.probe_hits = {4, 1};
  r.last_probe_hits = {10, 3};
  return r;
}

TEST(TriedRegion, ProbeHitsAreTheRunningCountBefore73) {
  const TriedRegion t = tried_region_of(region_with_hits(), 0, 2, {.moving_sum = false, .left_samples = 5, .window = 20});
  EXPECT_EQ(t.probe_hits, (std::vector<uint32_t>{4, 1}));
}

TEST(TriedRegion, ProbeHitsAreMovingSumsFrom73) {
  // A quarter of the 20-sample window left: 4 + 10/4 and 1 + 3/4.
  const TriedRegion mid = tried_region_of(region_with_hits(), 0, 2, {.moving_sum = true, .left_samples = 5, .window = 20});
  EXPECT_EQ(mid.probe_hits, (std::vector<uint32_t>{6, 1}));
  // At the aggregation boundary (what a scheme applying every aggregation
  // reads) the moving sum is the finished count.
  const TriedRegion end = tried_region_of(region_with_hits(), 0, 2, {.moving_sum = true, .left_samples = 0, .window = 20});
  EXPECT_EQ(end.probe_hits, (std::vector<uint32_t>{4, 1}));
  // Only installed probes are shown.
  EXPECT_EQ(tried_region_of(region_with_hits(), 0, 1, {.moving_sum = true}).probe_hits.size(), 1u);
}

}  // namespace
}  // namespace damon
