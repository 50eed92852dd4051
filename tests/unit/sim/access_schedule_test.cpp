#include "engine/machine/sim/access_schedule.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/machine/sim/hash.h"

namespace damon::sim {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kSec = 1000000;

PhaseSpec phase(const std::string& name, uint64_t duration_us, std::vector<Access> access) {
  return PhaseSpec{name, duration_us, std::move(access)};
}

// Fraction of `pages` pages of region r touched in [t0, t1).
double touched_fraction(const AccessSchedule& s, size_t r, uint64_t pages, uint64_t t0, uint64_t t1) {
  uint64_t n = 0;
  for (uint64_t i = 0; i < pages; ++i) n += s.touched(r, hash2(r, i), i * kPage, kPage, t0, t1);
  return static_cast<double>(n) / static_cast<double>(pages);
}

TEST(AccessSchedule, RandomPagesAreTouchedAtTheirIntensity) {
  const AccessSchedule s({phase("p", 0, {{50, Pattern::random, 4096}, {2, Pattern::random, 4096}})},
                         {20000, 20000}, true, 0);
  // 5 ms windows: P(touched) = 1 - exp(-f * dt).
  EXPECT_NEAR(touched_fraction(s, 0, 20000, 1000, 6000), 1 - std::exp(-50 * 0.005), 0.01);
  EXPECT_NEAR(touched_fraction(s, 1, 20000, 1000, 6000), 1 - std::exp(-2 * 0.005), 0.003);
  // One second: the hot region is almost entirely touched.
  EXPECT_GT(touched_fraction(s, 0, 20000, 0, kSec), 0.999);
  EXPECT_NEAR(AccessSchedule::touch_probability(s.progress(0, 1000), s.progress(0, 6000)), 1 - std::exp(-50 * 0.005),
              1e-12);
}

TEST(AccessSchedule, AnswersAreDeterministicAndConsistentAcrossWindows) {
  const AccessSchedule s({phase("p", 0, {{30, Pattern::random, 4096}})}, {1000}, true, 0);
  for (uint64_t i = 0; i < 1000; ++i) {
    const uint64_t key = hash2(42, i);
    const uint64_t a = 1000 + i * 37, b = a + 4000 + i % 13, c = b + 9000;
    const bool whole = s.touched(0, key, 0, kPage, a, c);
    EXPECT_EQ(whole, s.touched(0, key, 0, kPage, a, b) || s.touched(0, key, 0, kPage, b, c)) << i;
    EXPECT_EQ(whole, s.touched(0, key, 0, kPage, a, c));
  }
}

TEST(AccessSchedule, SequentialSweepTouchesAContiguousBand) {
  // 1000 pages swept once per second, one touch per page.
  const AccessSchedule s({phase("scan", 0, {{1, Pattern::sequential, 4096}})}, {1000}, true, 0);
  std::vector<bool> hit;
  for (uint64_t i = 0; i < 1000; ++i) hit.push_back(s.touched(0, i, i * kPage, kPage, 250000, 500000));
  // A quarter of a lap: one contiguous run of about 250 pages.
  EXPECT_NEAR(std::count(hit.begin(), hit.end(), true), 250, 1);
  int runs = 0;
  for (size_t i = 0; i < hit.size(); ++i) runs += hit[i] && (i == 0 || !hit[i - 1]);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(hit[300]);
  EXPECT_FALSE(hit[100]);
  EXPECT_FALSE(hit[600]);
  // A full lap touches everything; consistency with split windows holds.
  EXPECT_EQ(touched_fraction(s, 0, 1000, 0, kSec + 1000), 1.0);
  for (uint64_t i = 0; i < 1000; i += 7) {
    EXPECT_EQ(s.touched(0, i, i * kPage, kPage, 100000, 900000),
              s.touched(0, i, i * kPage, kPage, 100000, 420000) || s.touched(0, i, i * kPage, kPage, 420000, 900000));
  }
}

TEST(AccessSchedule, LargeStridesSkipPages) {
  // A 16 KiB stride touches one page in four.
  const AccessSchedule s({phase("scan", 0, {{1, Pattern::sequential, 16384}})}, {400}, true, 0);
  EXPECT_TRUE(s.touched(0, 0, 0, kPage, 0, 2 * kSec));
  EXPECT_FALSE(s.touched(0, 1, kPage, kPage, 0, 2 * kSec));
  EXPECT_TRUE(s.touched(0, 4, 4 * kPage, kPage, 0, 2 * kSec));
}

TEST(AccessSchedule, PhasesSwitchAndLoop) {
  const AccessSchedule s({phase("a", kSec, {{100, Pattern::random, 4096}, {0, Pattern::random, 4096}}),
                          phase("b", kSec, {{0, Pattern::random, 4096}, {100, Pattern::random, 4096}})},
                         {5000, 5000}, true, 10 * kSec);
  EXPECT_EQ(s.phase_at(10 * kSec + 10), 0u);
  EXPECT_EQ(s.phase_at(11 * kSec + 10), 1u);
  EXPECT_EQ(s.phase_at(12 * kSec + 10), 0u);  // looped
  EXPECT_GT(touched_fraction(s, 0, 5000, 10 * kSec, 10 * kSec + 50000), 0.9);
  EXPECT_EQ(touched_fraction(s, 1, 5000, 10 * kSec, 10 * kSec + 50000), 0);
  EXPECT_EQ(touched_fraction(s, 0, 5000, 11 * kSec, 11 * kSec + 50000), 0);
  EXPECT_EQ(touched_fraction(s, 0, 5000, 0, 10 * kSec), 0);  // before the start
  EXPECT_FALSE(s.end_us());
  EXPECT_DOUBLE_EQ(s.accesses(0, 14 * kSec), 2 * 100.0 * 5000);
}

TEST(AccessSchedule, WithoutLoopTheProcessEnds) {
  const AccessSchedule s({phase("once", 2 * kSec, {{100, Pattern::random, 4096}})}, {100}, false, kSec);
  ASSERT_TRUE(s.end_us());
  EXPECT_EQ(*s.end_us(), 3 * kSec);
  EXPECT_EQ(touched_fraction(s, 0, 100, 3 * kSec, 9 * kSec), 0);
  EXPECT_DOUBLE_EQ(s.accesses(0, 9 * kSec), 2 * 100.0 * 100);
}

TEST(AccessSchedule, LastPhaseWithoutDurationNeverEnds) {
  const AccessSchedule s({phase("warm", kSec, {{0, Pattern::random, 4096}}), phase("run", 0, {{100, Pattern::random, 4096}})},
                         {100}, false, 0);
  EXPECT_FALSE(s.end_us());
  EXPECT_EQ(s.phase_at(1000 * kSec), 1u);
  EXPECT_GT(touched_fraction(s, 0, 100, 1000 * kSec, 1000 * kSec + 100000), 0.99);
}

TEST(AccessSchedule, FolioDrawsScaleWithItsSize) {
  // A 2 MiB unit is 512 times as likely to be touched as a page.
  const AccessSchedule s({phase("p", 0, {{0.01, Pattern::random, 4096}})}, {512 * 2000}, true, 0);
  uint64_t n = 0;
  for (uint64_t i = 0; i < 2000; ++i) n += s.touched(0, hash2(7, i), i * 512 * kPage, 512 * kPage, 0, 100000);
  EXPECT_NEAR(static_cast<double>(n) / 2000, 1 - std::exp(-0.01 * 512 * 0.1), 0.03);
}

}  // namespace
}  // namespace damon::sim
