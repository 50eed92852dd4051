#include "engine/damos/goal_tuner.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "engine/damos/arith.h"
#include "engine/damos/quota.h"
#include "engine/machine/machine.h"

namespace damon {
namespace {

QuotaGoal goal(uint64_t target, uint64_t current) {
  QuotaGoal g;
  g.metric = GoalMetric::user_input;
  g.target_value = target;
  g.current_value = current;
  return g;
}

TEST(GoalTuner, AchievementInBasisPoints) {
  EXPECT_EQ(goal_achievement_bp(goal(10000, 5000)), 5000u);
  EXPECT_EQ(goal_achievement_bp(goal(3, 7)), 23333u);
  EXPECT_EQ(goal_achievement_bp(goal(0, 7)), 0u);
}

TEST(GoalTuner, ConsistStartsFromOneByteAndAtMostDoubles) {
  // Fresh esz_bp is 0: the first step starts from 10000 (1 byte).
  EXPECT_EQ(tune_consist(0, 0), 20000u);
  EXPECT_EQ(tune_consist(20000, 0), 40000u);
  EXPECT_EQ(tune_consist(40000, 5000), 60000u);
  EXPECT_EQ(tune_consist(40000, 10000), 40000u);
  EXPECT_EQ(tune_consist(40000, 15000), 20000u);
  EXPECT_EQ(tune_consist(40000, 20000), 10000u);  // twice the goal: reset
}

TEST(GoalTuner, TemporalIsAllOrNothing) {
  EXPECT_EQ(tune_temporal(9999, 0), kUnlimited);
  EXPECT_EQ(tune_temporal(9999, 1 << 20), uint64_t{1 << 20} * 10000);
  EXPECT_EQ(tune_temporal(10000, 1 << 20), 0u);
}

// A system whose metric grows with how much the scheme may do per window:
// the user reports current_value = esz / bytes_per_point.
struct Plant {
  uint64_t bytes_per_point;
  uint64_t observe(uint64_t esz) const { return esz / bytes_per_point; }
};

Quota user_input_quota(GoalTuner tuner, uint64_t target, uint64_t bytes = 0) {
  Quota q;
  q.reset_interval_ms = 100;
  q.bytes = bytes;
  q.goal_tuner = tuner;
  q.goals.push_back(goal(target, 0));
  return q;
}

TEST(GoalTuner, ConsistConvergesOnUserInput) {
  Quota q = user_input_quota(GoalTuner::consist, 5000);
  const Plant plant{1000};  // goal reached at esz = 5 MB
  QuotaState st;
  uint64_t now_ms = 0;
  for (int window = 0; window < 200; ++window, now_ms += 100) {
    q.goals[0].current_value = plant.observe(st.esz());
    ASSERT_TRUE(st.roll_window(now_ms, q.reset_interval_ms).started);
    st.update_esz(q, goal_achievement_bp(q.goals[0]), kPageSize);
  }
  const uint64_t target_esz = 5000 * plant.bytes_per_point;
  EXPECT_LE(std::llabs(static_cast<long long>(st.esz()) - static_cast<long long>(target_esz)),
            static_cast<long long>(target_esz / 100))
      << "esz " << st.esz();
}

TEST(GoalTuner, ConsistBacksOffWhenOverAchieving) {
  Quota q = user_input_quota(GoalTuner::consist, 5000);
  QuotaState st;
  // Drive esz up with an unreached goal, then report 1.5x the goal.
  for (int w = 0; w < 30; ++w) {
    q.goals[0].current_value = 0;
    st.roll_window(w * 100, 100);
    st.update_esz(q, goal_achievement_bp(q.goals[0]), kPageSize);
  }
  const uint64_t high = st.esz();
  q.goals[0].current_value = 7500;
  st.roll_window(3000, 100);
  st.update_esz(q, goal_achievement_bp(q.goals[0]), kPageSize);
  EXPECT_EQ(st.esz(), high / 2);
}

TEST(GoalTuner, TemporalSwitchesBetweenSizeQuotaAndStop) {
  Quota q = user_input_quota(GoalTuner::temporal, 5000, 1 << 20);
  QuotaState st;
  q.goals[0].current_value = 1000;
  st.roll_window(0, 100);
  st.update_esz(q, goal_achievement_bp(q.goals[0]), kPageSize);
  EXPECT_EQ(st.esz(), 1u << 20);
  q.goals[0].current_value = 5000;
  st.roll_window(100, 100);
  st.update_esz(q, goal_achievement_bp(q.goals[0]), kPageSize);
  // Goal reached: the scheme stops for this window.
  EXPECT_EQ(st.esz(), 0u);
  EXPECT_TRUE(st.exhausted());
  EXPECT_EQ(st.fit(kPageSize, kPageSize), 0u);
  q.goals[0].current_value = 4999;
  st.roll_window(200, 100);
  st.update_esz(q, goal_achievement_bp(q.goals[0]), kPageSize);
  EXPECT_EQ(st.esz(), 1u << 20);
}

TEST(GoalTuner, TemporalConvergesOnAStateGoal) {
  // The metric is a state the scheme builds up (bytes moved so far, one
  // point per 1000 bytes): temporal runs at the size quota until the goal
  // is met, then stops, so it ends within one window's quota of the goal.
  Quota q = user_input_quota(GoalTuner::temporal, 5000, 64 << 10);
  QuotaState st;
  uint64_t moved = 0;
  for (int window = 0; window < 200; ++window) {
    q.goals[0].current_value = moved / 1000;
    st.roll_window(window * 100, q.reset_interval_ms);
    st.update_esz(q, goal_achievement_bp(q.goals[0]), kPageSize);
    if (!st.exhausted()) moved += st.fit(st.esz(), kPageSize);
  }
  EXPECT_GE(moved, 5000u * 1000);
  EXPECT_LT(moved, 5000u * 1000 + (64 << 10));
}

TEST(GoalTuner, TemporalWithoutSizeQuotaRunsUnlimitedUntilReached) {
  Quota q = user_input_quota(GoalTuner::temporal, 5000);
  QuotaState st;
  q.goals[0].current_value = 0;
  st.roll_window(0, 100);
  st.update_esz(q, goal_achievement_bp(q.goals[0]), kPageSize);
  EXPECT_EQ(st.esz(), kUnlimited / 10000);
}

TEST(GoalTuner, GoalsOnlyMakeTimeAndSizeQuotasLessAggressive) {
  Quota q = user_input_quota(GoalTuner::consist, 5000, 3 * 4096);
  QuotaState st;
  for (int w = 0; w < 40; ++w) {
    q.goals[0].current_value = 0;
    st.roll_window(w * 100, 100);
    st.update_esz(q, goal_achievement_bp(q.goals[0]), kPageSize);
  }
  EXPECT_EQ(st.esz(), 3u * 4096);
}

}  // namespace
}  // namespace damon
