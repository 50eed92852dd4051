// Quota goal tuners: turn the goals' achievement score into the goal-based part
// of the effective size quota, in bytes x 10000 (docs/engine.md, "Quota
// goals").
#pragma once

#include <cstdint>

#include "engine/params.h"

namespace damon {

// Achievement of one goal in basis points: current_value x 10000 /
// target_value. A scheme is scored by its best goal (the least aggressive
// one wins). A goal with target_value 0 is disabled and scores 0.
uint64_t goal_achievement_bp(const QuotaGoal& goal);

// `consist`: steer esz_bp with the feedback loop, one step per window, from
// at least 10000 (1 byte) so it can grow from nothing.
uint64_t tune_consist(uint64_t esz_bp, uint64_t score);

// `temporal`: all or nothing. Reached goals stop the scheme (esz_bp 0);
// otherwise it runs at the size quota, or unlimited without one.
uint64_t tune_temporal(uint64_t score, uint64_t bytes_quota);

uint64_t tune_esz_bp(GoalTuner tuner, uint64_t esz_bp, uint64_t score, uint64_t bytes_quota);

}  // namespace damon
