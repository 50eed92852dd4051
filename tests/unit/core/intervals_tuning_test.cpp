#include "engine/core/intervals_tuning.h"

#include <gtest/gtest.h>

#include "core_fixture.h"
#include "engine/core/context.h"
#include "engine/ops/registry.h"

namespace damon::test {
namespace {

Target target_with(std::vector<std::pair<uint64_t, uint32_t>> size_and_nr) {
  Target t;
  uint64_t start = 0;
  for (auto [size, nr] : size_and_nr) {
    Region r;
    r.ar = {start, start + size};
    r.nr_accesses = nr;
    t.regions.push_back(r);
    start += size;
  }
  return t;
}

TEST(IntervalsScore, ObservedOverTargetedAccessEvents) {
  const std::vector<Target> ts{target_with({{1000, 20}, {3000, 0}})};
  // events 20000; possible 4000 x 20 = 80000; goal 25% = 20000.
  EXPECT_EQ(intervals_score(ts, 20, 2500), 10000u);
  EXPECT_EQ(intervals_score(ts, 20, 5000), 5000u);
  // A goal that rounds to zero events counts as one.
  EXPECT_EQ(intervals_score(ts, 20, 0), 20000u * 10000);
}

TEST(IntervalsAdaptation, GrowsUpToTwiceShrinksAtMostToHalf) {
  EXPECT_EQ(intervals_adaptation_bp(10000), 10000u);
  EXPECT_EQ(intervals_adaptation_bp(0), 20000u);
  EXPECT_EQ(intervals_adaptation_bp(5000), 15000u);
  EXPECT_EQ(intervals_adaptation_bp(15000), 7500u);  // 5000 -> compressed
  EXPECT_EQ(intervals_adaptation_bp(30000), 5000u);
}

TEST(TunedAttrs, ScalesSampleKeepsSamplesPerAggregationAndClamps) {
  MonitoringAttrs a;
  a.intervals_goal = {400, 2, 1000, 8000};
  MonitoringAttrs next = tuned_attrs(a, 20, 15000);
  EXPECT_EQ(next.sample_us, 7500u);
  EXPECT_EQ(next.aggr_us, 150000u);
  EXPECT_EQ(tuned_attrs(a, 20, 20000).sample_us, 8000u);
  EXPECT_EQ(tuned_attrs(a, 20, 1).sample_us, 1000u);
  EXPECT_EQ(tuned_attrs(a, 20, 20000).aggr_us, 160000u);
}

// Every page of `hot` is touched once per `period_us`, at a phase of its
// own: a sample of length s sees it with probability s / period. The
// observed access ratio thus grows with the sampling interval, which is what
// auto-tuning steers.
OracleMachine::Oracle periodic(AddrRange hot, uint64_t period_us) {
  return [=](Space, uint64_t addr, uint64_t since, uint64_t now) {
    if (addr < hot.start || addr >= hot.end) return false;
    const uint64_t page = addr / kPageSize;
    const uint64_t phase = (page * 0x9E3779B97F4A7C15ull >> 20) % period_us;
    // Is there a k with since < phase + k * period <= now?
    const auto touches_by = [&](uint64_t t) { return t < phase ? 0 : (t - phase) / period_us + 1; };
    return touches_by(now) > touches_by(since);
  };
}

class TuningTest : public ::testing::Test {
 protected:
  ManualClock clock{1};
  OracleMachine machine{clock};
  RecordingHook hook;
};

TEST_F(TuningTest, FirstStepAfterAggrsAggregationsThenEveryAggrs) {
  machine.set_oracle(hot_ranges({{0, 64 * kMiB}}));
  ContextParams p = paddr_params({{0, kGiB}});
  p.attrs.intervals_goal = {400, 3, 1000, 100000};
  Context ctx(p, machine, clock, 1, make_operations);
  ctx.set_schemes_hook(&hook);
  ASSERT_EQ(ctx.start(), 0);
  std::vector<uint64_t> changed_at;
  uint64_t generation = ctx.attrs_generation();
  for (int i = 0; i < 9; ++i) {
    run_aggregations(ctx, clock, hook, 1);
    if (ctx.attrs_generation() != generation) changed_at.push_back(hook.aggregations);
    generation = ctx.attrs_generation();
  }
  EXPECT_EQ(changed_at, (std::vector<uint64_t>{3, 6, 9}));
}

TEST_F(TuningTest, ConvergesToTheAccessGoal) {
  // 10% of 4 GiB is touched every 100 ms; the goal is 4% of the possible
  // access events, reached at a 40 ms sampling interval (10% x 40/100).
  constexpr uint64_t kPeriod = 100000;
  machine.set_oracle(periodic({kGiB, kGiB + 4 * kGiB / 10}, kPeriod));
  ContextParams p = paddr_params({{0, 4 * kGiB}});
  p.attrs.intervals_goal = {400, 2, 1000, 1000000};
  Context ctx(p, machine, clock, 5, make_operations);
  ctx.set_schemes_hook(&hook);
  ASSERT_EQ(ctx.start(), 0);
  std::vector<uint64_t> samples;
  for (int i = 0; i < 80; ++i) {
    run_aggregations(ctx, clock, hook, 2);
    samples.push_back(ctx.attrs().sample_us);
    ASSERT_EQ(ctx.attrs().aggr_us, ctx.attrs().sample_us * 20);
    ASSERT_GE(ctx.attrs().sample_us, 1000u);
    ASSERT_LE(ctx.attrs().sample_us, 1000000u);
  }
  EXPECT_GT(samples[0], 5000u);  // started below the goal: grows
  for (size_t i = 20; i < samples.size(); ++i) {
    EXPECT_GE(samples[i], 30000u) << i;
    EXPECT_LE(samples[i], 55000u) << i;
  }
  // The user's intervals stay in params(); attrs() holds the tuned ones.
  EXPECT_EQ(ctx.params().attrs.sample_us, 5000u);
}

}  // namespace
}  // namespace damon::test
