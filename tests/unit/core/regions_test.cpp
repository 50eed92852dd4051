#include "engine/core/regions.h"

#include <gtest/gtest.h>

#include <vector>

namespace damon {
namespace {

Region make(uint64_t start, uint64_t end, uint32_t nr = 0, uint32_t last = 0, uint32_t age = 0) {
  Region r;
  r.ar = {start, end};
  r.nr_accesses = nr;
  r.nr_accesses_bp = nr * 10000;
  r.last_nr_accesses = last;
  r.age = age;
  return r;
}

std::vector<AddrRange> ranges_of(const std::vector<Region>& regions) {
  std::vector<AddrRange> out;
  for (const Region& r : regions) out.push_back(r.ar);
  return out;
}

TEST(AccessRate, MovingSumDropsTheAverageOfTheLastAggregation) {
  Region r = make(0, 4096);
  r.last_nr_accesses = 10;
  r.nr_accesses_bp = 100000;  // where the previous aggregation left it
  AccessRateUpdate(20)(r, false);
  EXPECT_EQ(r.nr_accesses_bp, 95000u);
  EXPECT_EQ(r.nr_accesses, 0u);
  AccessRateUpdate(20)(r, true);
  EXPECT_EQ(r.nr_accesses_bp, 100000u);
  EXPECT_EQ(r.nr_accesses, 1u);
}

TEST(AccessRate, OneUpdateForManyRegionsDropsEachByItsOwnLastCount) {
  // One AccessRateUpdate serves a whole sample: the drops it remembers per
  // last count must not leak from one region to the next.
  std::vector<Region> regions(4, make(0, 4096));
  const uint32_t last[] = {10, 3, 10, 100};
  for (size_t i = 0; i < regions.size(); ++i) {
    regions[i].last_nr_accesses = last[i];
    regions[i].nr_accesses_bp = last[i] * 10000;
  }
  AccessRateUpdate update(20);
  for (Region& r : regions) update(r, false);
  EXPECT_EQ(regions[0].nr_accesses_bp, 95000u);   // 100000 - 10 * 10000 / 20
  EXPECT_EQ(regions[1].nr_accesses_bp, 28500u);   // 30000 - 3 * 10000 / 20
  EXPECT_EQ(regions[2].nr_accesses_bp, 95000u);
  EXPECT_EQ(regions[3].nr_accesses_bp, 950000u);  // above the remembered counts
}

TEST(AccessRate, EqualsTheCountAtTheEndOfAWindow) {
  Region r = make(0, 4096);
  r.last_nr_accesses = 7;
  r.nr_accesses_bp = 70000;
  for (int i = 0; i < 20; ++i) AccessRateUpdate(20)(r, i % 4 == 0);
  EXPECT_EQ(r.nr_accesses, 5u);
  EXPECT_EQ(r.nr_accesses_bp, 50000u);
}

TEST(AccessRate, NeverWrapsBelowZero) {
  Region r = make(0, 4096);
  r.last_nr_accesses = 20;
  r.nr_accesses_bp = 0;  // e.g. a region that was just reset by a commit
  AccessRateUpdate(1)(r, false);
  EXPECT_EQ(r.nr_accesses_bp, 0u);
}

TEST(SplitRegionAt, RightPartCopiesCounters) {
  std::vector<Region> rs{make(0, 100, 3, 4, 5)};
  split_region_at(rs, 0, 25);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].ar, (AddrRange{0, 25}));
  EXPECT_EQ(rs[1].ar, (AddrRange{25, 100}));
  EXPECT_EQ(rs[1].nr_accesses, 3u);
  EXPECT_EQ(rs[1].last_nr_accesses, 4u);
  EXPECT_EQ(rs[1].age, 5u);
  EXPECT_EQ(rs[1].nr_accesses_bp, 30000u);
}

TEST(Merge, AgeRules) {
  // Far apart so nothing merges; threshold 2.
  std::vector<Region> rs{
      make(0, 10, 5, 5, 7),     // same count: age + 1
      make(20, 30, 5, 8, 7),    // changed by more than the threshold: 0
      make(40, 50, 5, 7, 7),    // changed by exactly the threshold: + 1
      make(60, 70, 1, 0, 7),    // started being accessed: 0
      make(80, 90, 0, 2, 7),    // stopped being accessed: 0
      make(100, 110, 0, 0, 7),  // still idle: + 1
  };
  merge_regions_of(rs, 2, 1000);
  ASSERT_EQ(rs.size(), 6u);
  EXPECT_EQ(rs[0].age, 8u);
  EXPECT_EQ(rs[1].age, 0u);
  EXPECT_EQ(rs[2].age, 8u);
  EXPECT_EQ(rs[3].age, 0u);
  EXPECT_EQ(rs[4].age, 0u);
  EXPECT_EQ(rs[5].age, 8u);
}

TEST(Merge, SizeWeightedAveragesAndLimits) {
  std::vector<Region> rs{
      make(0, 30, 10, 10, 4),   // age becomes 5
      make(30, 40, 6, 6, 0),    // age becomes 1; diff 4 <= 5: merged into the first
      make(40, 50, 20, 20, 3),  // diff to the merged 9 is 11 > 5: kept
      make(60, 70, 20, 20, 3),  // not adjacent: kept
      make(70, 200, 20, 20, 3), // adjacent, same count, but 140 > size limit 100
  };
  merge_regions_of(rs, 5, 100);
  ASSERT_EQ(rs.size(), 4u);
  EXPECT_EQ(rs[0].ar, (AddrRange{0, 40}));
  EXPECT_EQ(rs[0].nr_accesses, (10u * 30 + 6 * 10) / 40);
  EXPECT_EQ(rs[0].nr_accesses_bp, rs[0].nr_accesses * 10000);
  EXPECT_EQ(rs[0].age, (5u * 30 + 1 * 10) / 40);
  EXPECT_EQ(rs[0].last_nr_accesses, 10u);  // the left region's
  EXPECT_EQ(rs[1].ar, (AddrRange{40, 50}));
  EXPECT_EQ(rs[2].ar, (AddrRange{60, 70}));
  EXPECT_EQ(rs[3].ar, (AddrRange{70, 200}));
}

Region with_hits(Region r, std::array<uint8_t, 2> hits, std::array<uint8_t, 2> last) {
  r.probe_hits = {hits[0], hits[1]};
  r.last_probe_hits = {last[0], last[1]};
  return r;
}

TEST(MergeScore, NrAccessesUnlessAProbeHasAWeight) {
  const Region r = with_hits(make(0, 10, 7, 3), {4, 10}, {2, 1});
  EXPECT_EQ(merge_score(r, false, {}), 7u);
  EXPECT_EQ(merge_score(r, true, std::vector<uint32_t>{0, 0}), 3u);
  // Weights 3 and 1: 4*3 + 10*1 now, 2*3 + 1*1 last aggregation.
  EXPECT_EQ(merge_score(r, false, std::vector<uint32_t>{3, 1}), 22u);
  EXPECT_EQ(merge_score(r, true, std::vector<uint32_t>{3, 1}), 7u);
}

TEST(Merge, ProbeWeightsScoreAgeAndMerging) {
  // Attributes-only monitoring: nr_accesses is 0 everywhere, the weighted
  // hits decide. Weight 2 on the first probe only, threshold 2.
  const std::vector<uint32_t> weights{2, 0};
  std::vector<Region> rs{
      with_hits(make(0, 10, 0, 0, 4), {5, 0}, {5, 9}),    // score 10 as before: age + 1
      with_hits(make(10, 20, 0, 0, 4), {6, 0}, {2, 0}),   // 12 vs 4: age 0; 12 - 10 <= 2: merged
      with_hits(make(20, 30, 0, 0, 4), {9, 0}, {9, 0}),   // 18: kept apart from the merged 10
      with_hits(make(30, 40, 0, 0, 4), {0, 50}, {1, 0}),  // 0 after 2: age 0
  };
  merge_regions_of(rs, 2, 1000, weights);
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0].ar, (AddrRange{0, 20}));
  EXPECT_EQ(rs[0].age, (5u + 0u) / 2);
  EXPECT_EQ(rs[0].probe_hits[0], (5 + 6) / 2);
  EXPECT_EQ(rs[0].last_probe_hits[0], (5 + 2) / 2);
  EXPECT_EQ(rs[1].age, 5u);
  EXPECT_EQ(rs[2].age, 0u);
  // The same regions without weights all score 0: one region, ages + 1.
  std::vector<Region> plain{make(0, 10, 0, 0, 4), make(10, 20, 0, 0, 4)};
  merge_regions_of(plain, 2, 1000, std::vector<uint32_t>{0, 0});
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].age, 5u);
}

TEST(MovingSum, AddsTheLeftShareOfTheLastWindow) {
  // 20-sample windows; the last aggregation counted 10.
  EXPECT_EQ(moving_sum(4, 10, 0, 20), 4u);    // window complete: the count itself
  EXPECT_EQ(moving_sum(4, 10, 5, 20), 6u);    // a quarter left: 4 + 10/4
  EXPECT_EQ(moving_sum(0, 10, 20, 20), 10u);  // nothing sampled yet: the last count
  EXPECT_EQ(moving_sum(3, 0, 7, 20), 3u);
  EXPECT_EQ(moving_sum(1, 1, 5, 0), 1u);      // a zero window counts as one
}

TEST(Split, PiecesCoverTheRegionAlignedWithCopiedCounters) {
  Rng rng(1);
  constexpr uint64_t kUnit = 4096;
  std::vector<Region> rs{make(0, 1000 * kUnit, 4, 6, 9), make(2000 * kUnit, 2002 * kUnit, 1, 1, 1)};
  split_regions_of(rs, 3, kUnit, rng);
  // The first region becomes 2 or 3 pieces (a cut can be skipped); the
  // second is too small (not more than 2 units) to be cut at all.
  ASSERT_GE(rs.size(), 3u);
  ASSERT_LE(rs.size(), 4u);
  EXPECT_EQ(rs.front().ar.start, 0u);
  EXPECT_EQ(rs.back().ar, (AddrRange{2000 * kUnit, 2002 * kUnit}));
  for (size_t i = 0; i + 1 < rs.size() - 1; ++i) {
    EXPECT_EQ(rs[i].ar.end, rs[i + 1].ar.start);
    EXPECT_EQ(rs[i].ar.start % kUnit, 0u);
    EXPECT_GT(rs[i].size(), 0u);
    EXPECT_EQ(rs[i + 1].nr_accesses, 4u);
    EXPECT_EQ(rs[i + 1].last_nr_accesses, 6u);
    EXPECT_EQ(rs[i + 1].age, 9u);
  }
  EXPECT_EQ(rs[rs.size() - 2].ar.end, 1000 * kUnit);
}

TEST(Split, CutsAreBetweenTenAndNinetyPercent) {
  constexpr uint64_t kUnit = 1;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Rng rng(seed);
    std::vector<Region> rs{make(0, 1000)};
    split_regions_of(rs, 2, kUnit, rng);
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_GE(rs[0].size(), 100u);
    EXPECT_LE(rs[0].size(), 900u);
    EXPECT_EQ(rs[0].size() % 100, 0u);  // size x r / 10 with r in 1..9
  }
}

TEST(Split, SameSeedSameCuts) {
  std::vector<Region> a{make(0, 1 << 30)}, b = a;
  Rng ra(42), rb(42);
  for (int i = 0; i < 5; ++i) {
    split_regions_of(a, 3, 4096, ra);
    split_regions_of(b, 3, 4096, rb);
  }
  EXPECT_EQ(ranges_of(a), ranges_of(b));
  EXPECT_GT(a.size(), 20u);
}

// The kernel's own unit cases for damon_set_regions and the vaddr
// "apply three regions" update (min region size 1).
TEST(SetRegions, FillsHolesAndTrims) {
  std::vector<Region> rs{make(4, 16), make(24, 32)};
  const AddrRange range{8, 28};
  set_regions(rs, {&range, 1}, 1);
  EXPECT_EQ(ranges_of(rs), (std::vector<AddrRange>{{8, 16}, {16, 24}, {24, 28}}));
}

std::vector<Region> six_regions() {
  return {make(10, 20, 1), make(20, 30, 2), make(50, 55, 3), make(55, 58, 4), make(70, 80, 5), make(80, 90, 6)};
}

TEST(SetRegions, ThreeRangesStretchAndDrop) {
  auto rs = six_regions();
  const std::vector<AddrRange> three{{5, 27}, {45, 55}, {73, 104}};
  set_regions(rs, three, 1);
  EXPECT_EQ(ranges_of(rs), (std::vector<AddrRange>{{5, 20}, {20, 27}, {45, 55}, {73, 80}, {80, 104}}));
  // Survivors keep their counters.
  EXPECT_EQ(rs[1].nr_accesses, 2u);
  EXPECT_EQ(rs[2].nr_accesses, 3u);
  EXPECT_EQ(rs[4].nr_accesses, 6u);
}

TEST(SetRegions, RangeInsideOneRegionShrinksIt) {
  auto rs = six_regions();
  const std::vector<AddrRange> three{{5, 27}, {56, 57}, {65, 104}};
  set_regions(rs, three, 1);
  EXPECT_EQ(ranges_of(rs), (std::vector<AddrRange>{{5, 20}, {20, 27}, {56, 57}, {65, 80}, {80, 104}}));
  EXPECT_EQ(rs[2].nr_accesses, 4u);
}

TEST(SetRegions, RangeIntersectingNothingGetsAFreshRegion) {
  auto rs = six_regions();
  const std::vector<AddrRange> three{{5, 27}, {61, 63}, {65, 104}};
  set_regions(rs, three, 1);
  EXPECT_EQ(ranges_of(rs), (std::vector<AddrRange>{{5, 20}, {20, 27}, {61, 63}, {65, 80}, {80, 104}}));
  EXPECT_EQ(rs[2].nr_accesses, 0u);
}

TEST(SetRegions, AllNew) {
  auto rs = six_regions();
  const std::vector<AddrRange> three{{5, 7}, {30, 32}, {65, 68}};
  set_regions(rs, three, 1);
  EXPECT_EQ(ranges_of(rs), (std::vector<AddrRange>{{5, 7}, {30, 32}, {65, 68}}));
}

TEST(SetRegions, AlignsToTheMinimumRegionSize) {
  std::vector<Region> rs;
  const std::vector<AddrRange> ranges{{100, 5000}, {9000, 9001}};
  set_regions(rs, ranges, 4096);
  EXPECT_EQ(ranges_of(rs), (std::vector<AddrRange>{{0, 8192}, {8192, 12288}}));
}

TEST(Totals, SumOverTargets) {
  std::vector<Target> ts(2);
  ts[0].regions = {make(0, 10), make(10, 30)};
  ts[1].regions = {make(100, 105)};
  EXPECT_EQ(total_region_bytes(ts), 35u);
  EXPECT_EQ(total_nr_regions(ts), 3u);
}

}  // namespace
}  // namespace damon
