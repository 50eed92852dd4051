#include "engine/damos/schemes.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>

#include "view_fixture.h"

namespace damon {
namespace {

using test::FakeFolio;

SchemeParams scheme(Action action) {
  SchemeParams p;
  p.action = action;
  p.pattern = test::any_pattern();
  return p;
}

class SchemesTest : public ::testing::Test {
 protected:
  // One paddr target of `n` 16 KiB regions at 1 MiB, each on node 0.
  void regions(size_t n, uint32_t nr_accesses = 0, uint32_t age = 0) {
    f.machine.add_node(0, 1 << 30);
    f.machine.add_node(1, 1 << 30);
    for (size_t i = 0; i < n; ++i) {
      const uint64_t start = (1 << 20) + i * 0x4000;
      f.add_region(0, start, start + 0x4000, nr_accesses, age);
    }
    f.machine.place(Space::phys(), 1 << 20, (1 << 20) + n * 0x4000, FakeFolio{});
  }

  // Runs sampling intervals, applying schemes after each like the loop.
  void run_samples(Schemes& s, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      f.next_sample();
      s.apply(f.view());
    }
  }

  test::ViewFixture f;
};

TEST_F(SchemesTest, FirstApplyAfterOneApplyInterval) {
  regions(4);
  Schemes s({scheme(Action::stat)}, f.view());
  run_samples(s, 19);  // 20 samples per 100 ms aggregation
  EXPECT_EQ(s.stats()[0].nr_tried, 0u);
  run_samples(s, 1);
  EXPECT_EQ(s.stats()[0].nr_tried, 4u);
  EXPECT_EQ(s.stats()[0].sz_tried, 4u * 0x4000);
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_tried, 8u);
}

TEST_F(SchemesTest, OwnApplyInterval) {
  regions(1);
  SchemeParams p = scheme(Action::stat);
  p.apply_interval_us = 20000;  // 4 samples
  Schemes s({p}, f.view());
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_tried, 5u);
}

TEST_F(SchemesTest, AgeResetOnlyForActingSchemes) {
  regions(2, 0, 9);
  Schemes stat({scheme(Action::stat)}, f.view());
  run_samples(stat, 20);
  EXPECT_EQ(f.targets[0].regions[0].age, 9u);
  Schemes cold({scheme(Action::lru_deprio)}, f.view());
  run_samples(cold, 20);
  EXPECT_EQ(f.targets[0].regions[0].age, 0u);
  EXPECT_EQ(f.targets[0].regions[1].age, 0u);
  EXPECT_EQ(cold.stats()[0].nr_applied, 2u);
  EXPECT_EQ(cold.stats()[0].sz_applied, 2u * 0x4000);
}

TEST_F(SchemesTest, PatternSelectsRegions) {
  regions(3);
  f.targets[0].regions[1].nr_accesses_bp = 50000;
  SchemeParams p = scheme(Action::stat);
  p.pattern.min_nr_accesses = 5;
  Schemes s({p}, f.view());
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_tried, 1u);
  EXPECT_EQ(s.stats()[0].sz_tried, 0x4000u);
}

// The kdamond applies on a fixed sampling beat but wakes up late by varying
// amounts: quota windows follow the beat, so with a 100 ms reset interval
// and applies every 100 ms every window is a new one (a late wakeup before
// an early one must not make the window look 99 ms old and skip a reset,
// which halved qt_exceeds on a loaded host).
TEST_F(SchemesTest, QuotaWindowsFollowTheSamplingBeatNotWakeupJitter) {
  regions(16, 10, 5);  // more regions than windows: each window tries a new one
  SchemeParams p = scheme(Action::stat);
  p.quota.bytes = 0x4000;  // one region per window
  p.quota.reset_interval_ms = 100;
  Schemes s({p}, f.view());
  const uint64_t jitter_us[] = {7000, 0, 9000, 1000, 8000, 0, 6000, 500};
  for (uint64_t window = 0; window < 8; ++window) {
    for (int i = 0; i < 20; ++i) f.next_sample();
    MonitorView v = f.view();
    // Read the clock late: the apply runs after the due time.
    f.clock.advance(jitter_us[window]);
    s.apply(v);
    f.clock.set(v.sample_due_us);
  }
  // Every window after the first ended with its quota used up.
  EXPECT_EQ(s.stats()[0].qt_exceeds, 7u);
  EXPECT_EQ(s.stats()[0].nr_tried, 8u);
}

TEST_F(SchemesTest, SizeQuotaSplitsChargesAndResumesNextWindow) {
  regions(4);
  SchemeParams p = scheme(Action::lru_prio);
  p.quota.bytes = 0x6000;  // one and a half regions
  p.quota.reset_interval_ms = 100;
  Schemes s({p}, f.view());

  run_samples(s, 20);
  EXPECT_EQ(s.effective_bytes()[0], 0x6000u);
  SchemeStats st = s.stats()[0];
  EXPECT_EQ(st.sz_applied, 0x6000u);
  EXPECT_EQ(st.nr_applied, 2u);
  // The second region was split at the quota's end.
  ASSERT_EQ(f.targets[0].regions.size(), 5u);
  EXPECT_EQ(f.targets[0].regions[1].ar.size(), 0x2000u);

  // Next window: resume after the stop point, not from the first region.
  for (uint64_t a = 1 << 20; a < (1 << 20) + 4 * 0x4000; a += kPageSize)
    f.machine.folio(Space::phys(), a).active = false;
  run_samples(s, 20);
  st = s.stats()[0];
  EXPECT_EQ(st.qt_exceeds, 1u);
  EXPECT_EQ(st.sz_applied, 0xc000u);
  auto active = [&](uint64_t offset) {
    return f.machine.folio(Space::phys(), (1 << 20) + offset).active;
  };
  EXPECT_FALSE(active(0x0000));  // first region: done in the first window
  EXPECT_FALSE(active(0x5000));  // first half of the split region: done too
  EXPECT_TRUE(active(0x6000));   // second half
  EXPECT_TRUE(active(0x8000));   // third region
  EXPECT_FALSE(active(0xc000));  // quota used up before the fourth
}

TEST_F(SchemesTest, QuotaLeftoverBelowOneRegionIsTriedWithoutBytes) {
  regions(2);
  SchemeParams p = scheme(Action::lru_prio);
  p.quota.bytes = 0x4000 + 100;
  p.quota.reset_interval_ms = 1000;
  Schemes s({p}, f.view());
  run_samples(s, 20);
  const SchemeStats st = s.stats()[0];
  EXPECT_EQ(st.nr_tried, 2u);
  EXPECT_EQ(st.sz_tried, 0x4000u);
  EXPECT_EQ(st.nr_applied, 1u);
}

TEST_F(SchemesTest, PrioritizesHottestRegionsUnderQuota) {
  regions(4);
  for (size_t i = 0; i < 4; ++i) f.targets[0].regions[i].nr_accesses = static_cast<uint32_t>(5 * i);
  SchemeParams p = scheme(Action::migrate_hot);
  p.target_nid = 1;
  p.quota.bytes = 0x8000;  // two regions
  p.quota.reset_interval_ms = 1000;
  p.quota.weight_nr_accesses = 1;
  Schemes s({p}, f.view());
  run_samples(s, 20);
  // The two hottest regions moved; the colder ones stayed.
  EXPECT_EQ(f.machine.folio(Space::phys(), f.targets[0].regions[3].ar.start).node, 1);
  EXPECT_EQ(f.machine.folio(Space::phys(), f.targets[0].regions[2].ar.start).node, 1);
  EXPECT_EQ(f.machine.folio(Space::phys(), f.targets[0].regions[1].ar.start).node, 0);
  EXPECT_EQ(f.machine.folio(Space::phys(), f.targets[0].regions[0].ar.start).node, 0);
  EXPECT_EQ(s.stats()[0].sz_applied, 0x8000u);
}

TEST_F(SchemesTest, CoreFilterRejectsAreNotTried) {
  regions(2);
  SchemeParams p = scheme(Action::stat);
  Filter addr;
  addr.type = FilterType::addr;
  addr.addr = {(1 << 20) + 0x4000, (1 << 20) + 0x8000};
  addr.matching = true;
  addr.allow = false;
  p.filters = {addr};
  Schemes s({p}, f.view());
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_tried, 1u);
  EXPECT_EQ(s.stats()[0].sz_tried, 0x4000u);
}

TEST_F(SchemesTest, WatermarksGateTheSchemes) {
  regions(1);
  SchemeParams p = scheme(Action::stat);
  p.watermarks = {.metric = WatermarkMetric::free_mem_rate,
                  .interval_us = 3000,
                  .high = 900,
                  .mid = 800,
                  .low = 100};
  Schemes s({p}, f.view());
  // Almost all memory free (> high): deactivated.
  EXPECT_EQ(s.watermark_wait_us(f.machine), 3000u);
  run_samples(s, 40);
  EXPECT_EQ(s.stats()[0].nr_tried, 0u);
  // Free memory drops below mid: active again.
  f.machine.set_node_free(0, (1u << 30) / 2);
  f.machine.set_node_free(1, 0);
  EXPECT_EQ(s.watermark_wait_us(f.machine), 0u);
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_tried, 1u);
}

TEST_F(SchemesTest, OneActiveSchemeKeepsTheLoopRunning) {
  regions(1);
  SchemeParams gated = scheme(Action::stat);
  gated.watermarks = {.metric = WatermarkMetric::free_mem_rate,
                      .interval_us = 3000,
                      .high = 10,
                      .mid = 5,
                      .low = 0};
  Schemes s({gated, scheme(Action::stat)}, f.view());
  EXPECT_EQ(s.watermark_wait_us(f.machine), 0u);
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_tried, 0u);
  EXPECT_EQ(s.stats()[1].nr_tried, 1u);
}

TEST_F(SchemesTest, SnapshotsCountedPerTargetAndLimited) {
  regions(2);
  f.add_region(1, 1 << 24, (1 << 24) + 0x4000);
  SchemeParams p = scheme(Action::stat);
  p.max_nr_snapshots = 3;
  Schemes s({p}, f.view());
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_snapshots, 2u);  // two targets
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_snapshots, 3u);  // limit reached during the second round
  const uint64_t tried = s.stats()[0].nr_tried;
  run_samples(s, 40);
  EXPECT_EQ(s.stats()[0].nr_snapshots, 3u);
  EXPECT_EQ(s.stats()[0].nr_tried, tried);
}

TEST_F(SchemesTest, AttributeChangeRestartsApplyIntervals) {
  regions(1);
  Schemes s({scheme(Action::stat)}, f.view());
  run_samples(s, 15);
  f.attrs.aggr_us = 200000;  // 40 samples now
  ++f.attrs_generation;
  run_samples(s, 40);
  EXPECT_EQ(s.stats()[0].nr_tried, 0u);
  run_samples(s, 1);
  EXPECT_EQ(s.stats()[0].nr_tried, 1u);
}

TEST_F(SchemesTest, WalkReportsOneCompleteRoundOfEveryScheme) {
  regions(3);
  SchemeParams slow = scheme(Action::stat);
  slow.apply_interval_us = 200000;  // every 40 samples
  SchemeParams hot_only = scheme(Action::stat);
  hot_only.pattern.min_nr_accesses = 1;
  f.targets[0].regions[2].nr_accesses_bp = 30000;
  Schemes s({scheme(Action::stat), slow, hot_only}, f.view());

  std::map<size_t, std::vector<TriedRegion>> seen;
  int ended = 1;
  ASSERT_EQ(s.request_walk({[&](size_t i, const TriedRegion& r) { seen[i].push_back(r); },
                            [&](int result) { ended = result; }}),
            0);
  EXPECT_EQ(s.request_walk({}), -EBUSY);
  run_samples(s, 20);
  EXPECT_EQ(ended, 1);  // the slow scheme has not run yet
  run_samples(s, 20);
  EXPECT_EQ(ended, 0);
  EXPECT_FALSE(s.walk_pending());
  EXPECT_EQ(seen[0].size(), 3u);  // one round only, although it ran twice
  EXPECT_EQ(seen[1].size(), 3u);
  ASSERT_EQ(seen[2].size(), 1u);
  EXPECT_EQ(seen[2][0].start, f.targets[0].regions[2].ar.start);
  EXPECT_EQ(seen[2][0].nr_accesses, 3u);
}

TEST_F(SchemesTest, WalkCancelledWithoutSchemesOrWhenDeactivated) {
  regions(1);
  Schemes none({}, f.view());
  int result = 0;
  none.request_walk({{}, [&](int r) { result = r; }});
  run_samples(none, 1);
  EXPECT_EQ(result, -ECANCELED);

  SchemeParams gated = scheme(Action::stat);
  gated.watermarks = {.metric = WatermarkMetric::free_mem_rate,
                      .interval_us = 3000,
                      .high = 10,
                      .mid = 5,
                      .low = 0};
  Schemes s({gated}, f.view());
  result = 0;
  s.request_walk({{}, [&](int r) { result = r; }});
  EXPECT_NE(s.watermark_wait_us(f.machine), 0u);
  EXPECT_EQ(result, -ECANCELED);
}

TEST_F(SchemesTest, PendingWalkCancelledOnDestruction) {
  regions(1);
  int result = 0;
  {
    Schemes s({scheme(Action::stat)}, f.view());
    s.request_walk({{}, [&](int r) { result = r; }});
  }
  EXPECT_EQ(result, -ECANCELED);
}

TEST_F(SchemesTest, CommitKeepsStateOfMatchedSchemes) {
  regions(2);
  SchemeParams p = scheme(Action::stat);
  p.quota.bytes = 0x4000;
  p.quota.reset_interval_ms = 100000;
  Schemes s({p, scheme(Action::stat), scheme(Action::stat)}, f.view());
  run_samples(s, 20);
  const SchemeStats before = s.stats()[0];
  ASSERT_EQ(before.nr_tried, 1u);

  SchemeParams changed = p;
  changed.pattern.min_sz = 1 << 30;  // matches nothing now
  SchemeParams added = scheme(Action::stat);
  s.commit({changed, scheme(Action::stat)}, f.view());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.stats()[0].nr_tried, before.nr_tried);
  EXPECT_EQ(s.effective_bytes()[0], 0x4000u);  // esz kept
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_tried, before.nr_tried);  // new pattern applies
  EXPECT_EQ(s.stats()[1].nr_tried, 4u);

  s.commit({changed, scheme(Action::stat), added}, f.view());
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.stats()[2].nr_tried, 0u);
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[2].nr_tried, 2u);
}

TEST_F(SchemesTest, QuotaGoalsFollowCommittedUserInput) {
  regions(1);
  SchemeParams p = scheme(Action::stat);
  p.quota.reset_interval_ms = 5;  // a new window every sample
  QuotaGoal g;
  g.metric = GoalMetric::user_input;
  g.target_value = 10000;
  g.current_value = 5000;
  p.quota.goals = {g};
  Schemes s({p}, f.view());
  run_samples(s, 20 * 10);
  const uint64_t grown = s.effective_bytes()[0];
  EXPECT_GT(grown, 1u);

  p.quota.goals[0].current_value = 20000;
  s.commit_quota_goals({p});
  run_samples(s, 20);
  EXPECT_LT(s.effective_bytes()[0], grown);
}

TEST_F(SchemesTest, TemporalGoalReachedStopsTheScheme) {
  regions(2);
  SchemeParams p = scheme(Action::lru_prio);
  p.quota.reset_interval_ms = 100;
  p.quota.bytes = 0x4000;
  p.quota.goal_tuner = GoalTuner::temporal;
  QuotaGoal g;
  g.metric = GoalMetric::user_input;
  g.target_value = 100;
  g.current_value = 50;
  p.quota.goals = {g};
  Schemes s({p}, f.view());
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].sz_applied, 0x4000u);  // under the goal: the size quota
  p.quota.goals[0].current_value = 100;
  s.commit_quota_goals({p});
  run_samples(s, 20);
  EXPECT_EQ(s.effective_bytes()[0], 0u);
  EXPECT_EQ(s.stats()[0].sz_applied, 0x4000u);  // reached: nothing more
  EXPECT_EQ(s.stats()[0].nr_tried, 1u);
}

TEST_F(SchemesTest, CommitReactivatesWatermarks) {
  regions(1);
  SchemeParams gated = scheme(Action::stat);
  gated.watermarks = {.metric = WatermarkMetric::free_mem_rate,
                      .interval_us = 3000,
                      .high = 10,
                      .mid = 5,
                      .low = 0};
  Schemes s({gated}, f.view());
  EXPECT_NE(s.watermark_wait_us(f.machine), 0u);
  s.commit({gated}, f.view());
  run_samples(s, 20);
  EXPECT_EQ(s.stats()[0].nr_tried, 1u);
}

}  // namespace
}  // namespace damon
