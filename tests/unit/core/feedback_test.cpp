#include "engine/core/feedback.h"

#include <gtest/gtest.h>

#include <limits>

namespace damon {
namespace {

TEST(FeedLoop, GoalMetKeepsInput) { EXPECT_EQ(feed_loop_next_input(123456, 10000), 123456u); }

TEST(FeedLoop, UnderAchievingGrowsByRelativeShortfall) {
  // Half of the goal: grow by half of the input.
  EXPECT_EQ(feed_loop_next_input(20000, 5000), 30000u);
  // Nothing achieved: double.
  EXPECT_EQ(feed_loop_next_input(100000000, 0), 200000000u);
}

TEST(FeedLoop, OverAchievingShrinksButNotBelowMinimum) {
  EXPECT_EQ(feed_loop_next_input(100000, 15000), 50000u);
  EXPECT_EQ(feed_loop_next_input(12000, 19999), kFeedLoopMinInput);
}

TEST(FeedLoop, TwiceTheGoalResetsToMinimum) {
  EXPECT_EQ(feed_loop_next_input(1u << 30, 20000), kFeedLoopMinInput);
  EXPECT_EQ(feed_loop_next_input(1u << 30, 1000000), kFeedLoopMinInput);
}

TEST(FeedLoop, SaturatesInsteadOfWrapping) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(feed_loop_next_input(kMax - 10, 0), kMax);
  // Large inputs divide before multiplying, like the kernel.
  EXPECT_EQ(feed_loop_next_input(kMax / 2, 5000), kMax / 2 + kMax / 2 / 10000 * 5000);
}

}  // namespace
}  // namespace damon
