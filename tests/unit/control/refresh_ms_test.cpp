// refresh_ms (docs/state.md, "refresh_ms"): while the kdamond runs, its stats,
// effective quotas and tuned intervals are copied into the files every
// refresh_ms without any command; the value is read live.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/control/control_fixture.h"

namespace damonfs::fs::test {
namespace {

class RefreshMsTest : public ControlTest {
 protected:
  void SetUp() override { stage(1); }

  std::string refresh_ms() { return kdamond_dir(0) + "/refresh_ms"; }
  long long nr_tried() { return fs.number(scheme_dir(0, 0) + "/stats/nr_tried"); }

  // True when nr_tried grows past its current value within `timeout`.
  bool stats_move(std::chrono::milliseconds timeout = 5s) {
    const long long now = nr_tried();
    return wait_until([&] { return nr_tried() > now; }, timeout);
  }

  // True when nr_tried stays put for a while, once what was already on its
  // way to the files has landed: a refresh the kdamond was making when it
  // was cancelled is posted before the answer to the next command it
  // serves, and update_tuned_intervals leaves the stats alone. (A stopped
  // kdamond posted all it had before its state read off.)
  bool stats_frozen() {
    if (fs.read(kdamond_dir(0) + "/state") == "on\n") {
      EXPECT_EQ(state(0, "update_tuned_intervals"), "ok");
    }
    const long long now = nr_tried();
    pump(300ms);
    return nr_tried() == now;
  }
};

TEST_F(RefreshMsTest, ArmedAtOnItKeepsStatsMoving) {
  ASSERT_EQ(write(refresh_ms(), "10"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  EXPECT_TRUE(stats_move());
  EXPECT_TRUE(stats_move());
  ASSERT_EQ(write(scheme_dir(0, 0) + "/quotas/bytes", "1048576"), "ok");
  ASSERT_EQ(state(0, "commit"), "ok");
  EXPECT_TRUE(wait_until(
      [&] { return fs.read(scheme_dir(0, 0) + "/quotas/effective_bytes") == "1048576\n"; }));
}

TEST_F(RefreshMsTest, ItOverwritesUncommittedIntervalEdits) {
  ASSERT_EQ(write(refresh_ms(), "10"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  const std::string sample_us = context_dir(0) + "/monitoring_attrs/intervals/sample_us";
  ASSERT_EQ(write(sample_us, "3000"), "ok");
  EXPECT_TRUE(wait_until([&] { return fs.read(sample_us) == "1000\n"; }));
}

TEST_F(RefreshMsTest, WrittenWhileRunningItStartsRefreshing) {
  ASSERT_EQ(state(0, "on"), "ok");
  EXPECT_TRUE(stats_frozen());
  EXPECT_EQ(nr_tried(), 0);
  ASSERT_EQ(write(refresh_ms(), "10"), "ok");
  EXPECT_TRUE(stats_move());
}

TEST_F(RefreshMsTest, ZeroCancelsItAndANewValueRearmsIt) {
  ASSERT_EQ(write(refresh_ms(), "10"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_TRUE(stats_move());
  ASSERT_EQ(write(refresh_ms(), "0"), "ok");
  EXPECT_TRUE(stats_frozen());
  ASSERT_EQ(write(refresh_ms(), "20"), "ok");
  EXPECT_TRUE(stats_move());
}

TEST_F(RefreshMsTest, ANewPeriodTakesEffectWithoutCommit) {
  ASSERT_EQ(write(refresh_ms(), "10"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_TRUE(stats_move());
  ASSERT_EQ(write(refresh_ms(), "3600000"), "ok");  // an hour
  EXPECT_TRUE(stats_frozen());
  ASSERT_EQ(write(refresh_ms(), "10"), "ok");
  EXPECT_TRUE(stats_move());
}

TEST_F(RefreshMsTest, ItEndsWithTheKdamondAndComesBackWithTheNextOn) {
  ASSERT_EQ(write(refresh_ms(), "10"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_TRUE(stats_move());
  ASSERT_EQ(state(0, "off"), "ok");
  EXPECT_TRUE(stats_frozen());
  // A fresh context counts from zero again.
  ASSERT_EQ(state(0, "on"), "ok");
  const long long before = nr_tried();
  EXPECT_TRUE(wait_until([&] { return nr_tried() != before; }));
}

TEST_F(RefreshMsTest, EachKdamondKeepsItsOwnPeriod) {
  stage(2);
  ASSERT_EQ(write(kdamond_dir(0) + "/refresh_ms", "3600000"), "ok");
  ASSERT_EQ(write(kdamond_dir(1) + "/refresh_ms", "10"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_EQ(state(1, "on"), "ok");
  // The hour-long one refreshed once, at its first iteration; the other
  // is not held back by it (the Linux 6.17 shared-deadline bug).
  const std::string nr_tried1 = scheme_dir(1, 0) + "/stats/nr_tried";
  for (int round = 0; round < 3; ++round) {
    const long long now = fs.number(nr_tried1);
    EXPECT_TRUE(wait_until([&] { return fs.number(nr_tried1) > now; }, 5s)) << round;
  }
  EXPECT_TRUE(stats_frozen());
}

}  // namespace
}  // namespace damonfs::fs::test
