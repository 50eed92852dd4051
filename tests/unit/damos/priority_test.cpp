#include "engine/damos/priority.h"

#include <gtest/gtest.h>

namespace damon {
namespace {

MonitoringAttrs attrs_ms(uint64_t sample_us, uint64_t aggr_us) {
  MonitoringAttrs a;
  a.sample_us = sample_us;
  a.aggr_us = aggr_us;
  return a;
}

Region region(uint32_t nr_accesses, uint32_t age) {
  Region r;
  r.ar = {0, 4096};
  r.nr_accesses = nr_accesses;
  r.nr_accesses_bp = nr_accesses * 10000;
  r.age = age;
  return r;
}

Quota weights(uint32_t nr, uint32_t age) {
  Quota q;
  q.weight_nr_accesses = nr;
  q.weight_age = age;
  return q;
}

TEST(Priority, AllZeroWeightsGiveHotZeroColdMax) {
  const MonitoringAttrs a = attrs_ms(5000, 100000);
  EXPECT_EQ(hot_score(region(20, 100), a, weights(0, 0)), 0u);
  EXPECT_EQ(cold_score(region(20, 100), a, weights(0, 0)), kMaxScore);
}

TEST(Priority, FrequencyOnly) {
  const MonitoringAttrs a = attrs_ms(5000, 100000);  // 20 samples per aggregation
  // freq = 10 * 100 / 20 = 50; hot = 50 * 99 / 100 = 49
  EXPECT_EQ(hot_score(region(10, 0), a, weights(1, 0)), 49u);
  EXPECT_EQ(hot_score(region(20, 0), a, weights(1, 0)), 99u);
  EXPECT_EQ(hot_score(region(0, 0), a, weights(1, 0)), 0u);
  EXPECT_EQ(cold_score(region(10, 0), a, weights(1, 0)), 50u);
}

TEST(Priority, AgeGrowsHotterWhenAccessedColderWhenIdle) {
  const MonitoringAttrs a = attrs_ms(100000, 1000000);  // 1 s aggregation
  // age 0 s: L = 0 -> age subscore 50 -> hot 49.
  EXPECT_EQ(hot_score(region(1, 0), a, weights(0, 1)), 49u);
  // age 8 s, accessed: L = 4 -> (36 * 100 / 64) = 56 -> 55.
  EXPECT_EQ(hot_score(region(1, 8), a, weights(0, 1)), 55u);
  // age 8 s, idle: L = -4 -> 28 * 100 / 64 = 43 -> 42.
  EXPECT_EQ(hot_score(region(0, 8), a, weights(0, 1)), 42u);
  // Older idle regions are colder.
  EXPECT_GT(cold_score(region(0, 1000), a, weights(0, 1)),
            cold_score(region(0, 8), a, weights(0, 1)));
  // log2 saturates at 32: 2^40 s counts like 2^31.
  EXPECT_EQ(hot_score(region(1, 1u << 31), a, weights(0, 1)), 99u);
}

TEST(Priority, WeightsMix) {
  const MonitoringAttrs a = attrs_ms(100000, 1000000);  // 10 samples per aggregation
  // freq = 50, age subscore (8 s, busy) = 56: (3 * 50 + 1 * 56) / 4 = 51 -> 50.
  EXPECT_EQ(hot_score(region(5, 8), a, weights(3, 1)), 50u);
}

TEST(Priority, ScoreKindPerAction) {
  const MonitoringAttrs a = attrs_ms(5000, 100000);
  const Region r = region(10, 0);
  const Quota w = weights(1, 0);
  EXPECT_EQ(region_score(ScoreKind::hot, r, a, w), 49u);
  EXPECT_EQ(region_score(ScoreKind::cold, r, a, w), 50u);
  EXPECT_EQ(region_score(ScoreKind::max, r, a, w), kMaxScore);
}

TEST(ScoreHistogram, MinScoreIsHighestScoreWhoseBytesReachTheQuota) {
  ScoreHistogram h;
  h.add(90, 100);
  h.add(50, 300);
  h.add(10, 1000);
  EXPECT_EQ(h.min_score(50), 90u);  // 100 bytes at >= 90 suffice
  EXPECT_EQ(h.min_score(100), 90u);
  EXPECT_EQ(h.min_score(101), 50u);  // needs the 50s too
  EXPECT_EQ(h.min_score(400), 50u);
  EXPECT_EQ(h.min_score(401), 10u);
  EXPECT_EQ(h.min_score(100000), 0u);  // never reached: everything qualifies
}

TEST(ScoreHistogram, EmptyHistogramGivesZero) { EXPECT_EQ(ScoreHistogram{}.min_score(4096), 0u); }

}  // namespace
}  // namespace damon
