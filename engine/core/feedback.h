// DAMON's feedback loop (the kernel's damon_feed_loop_next_input).
//
// Given the input used last time and the score it produced, where 10000
// means "goal met", returns the next input. The input moves in proportion to
// the distance from the goal: under-achieving grows it, over-achieving
// shrinks it (never below 10000, so the next compensation is never zero),
// and a score of twice the goal or more resets it to that minimum.
//
// Used by intervals auto-tuning and by DAMOS quota goals (docs/engine.md, "The
// feedback loop"); both scale their own quantities around it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace damon {

inline constexpr uint64_t kFeedLoopGoal = 10000;
inline constexpr uint64_t kFeedLoopMinInput = 10000;

inline uint64_t feed_loop_next_input(uint64_t last_input, uint64_t score) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (score == kFeedLoopGoal) return last_input;
  if (score >= 2 * kFeedLoopGoal) return kFeedLoopMinInput;

  const bool over_achieving = score > kFeedLoopGoal;
  const uint64_t diff = over_achieving ? score - kFeedLoopGoal : kFeedLoopGoal - score;
  // Same overflow guard as the kernel: divide first when the product would wrap.
  const uint64_t compensation = last_input < kMax / diff ? last_input * diff / kFeedLoopGoal
                                                         : last_input / kFeedLoopGoal * diff;
  if (over_achieving) return std::max(last_input - compensation, kFeedLoopMinInput);
  if (last_input < kMax - compensation) return last_input + compensation;
  return kMax;
}

}  // namespace damon
