#include "engine/damos/goal_tuner.h"

#include <algorithm>

#include "engine/core/arith.h"
#include "engine/core/feedback.h"
#include "engine/damos/arith.h"

namespace damon {

uint64_t goal_achievement_bp(const QuotaGoal& goal) {
  if (!goal.target_value) return 0;
  return arith::mult_frac(goal.current_value, 10000, goal.target_value);
}

uint64_t tune_consist(uint64_t esz_bp, uint64_t score) {
  return feed_loop_next_input(std::max(esz_bp, kFeedLoopMinInput), score);
}

uint64_t tune_temporal(uint64_t score, uint64_t bytes_quota) {
  if (score >= kFeedLoopGoal) return 0;
  if (bytes_quota) return saturating_mul(bytes_quota, 10000);
  return kUnlimited;
}

uint64_t tune_esz_bp(GoalTuner tuner, uint64_t esz_bp, uint64_t score, uint64_t bytes_quota) {
  switch (tuner) {
    case GoalTuner::consist:
      return tune_consist(esz_bp, score);
    case GoalTuner::temporal:
      return tune_temporal(score, bytes_quota);
  }
  return esz_bp;
}

}  // namespace damon
