// damonfs/clock: durations, the line it shows, and advancing a manual clock.
#include "fs/control/clock_file.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "engine/clock.h"
#include "tests/support/recording_log.h"

namespace damonfs::fs {
namespace {

TEST(ClockFile, Durations) {
  EXPECT_EQ(parse_duration_us("10s"), 10'000'000u);
  EXPECT_EQ(parse_duration_us("250ms\n"), 250'000u);
  EXPECT_EQ(parse_duration_us("100us"), 100u);
  EXPECT_EQ(parse_duration_us("1.5min"), 90'000'000u);
  EXPECT_EQ(parse_duration_us("2h"), 7'200'000'000u);
  EXPECT_EQ(parse_duration_us("0s"), 0u);
  for (const char* bad : {"", "10", "s", "-1s", "1 s", "10sec", "1e3s", "5m", "1s\n\n", ".s"})
    EXPECT_FALSE(parse_duration_us(bad)) << bad;
}

// The tree's thread, for these tests: the caller's.
void now(std::function<void()> fn) { fn(); }

TEST(ClockFile, ManualClockAdvancesOnWrite) {
  damon::test::RecordingLog log;
  damon::Timeline t({.manual = true, .speed = 0, .start_us = 1'000'000});
  ClockFile f(t, now, log);
  EXPECT_TRUE(f.writable());
  EXPECT_EQ(f.read(), "now_us 0 mode manual speed max reached - keeping_up yes\n");
  int result = 1;
  f.write("1500ms\n", [&](int r) { result = r; });
  EXPECT_EQ(result, 0);
  EXPECT_EQ(t.now_us(), 2'500'000u);
  EXPECT_TRUE(f.read().starts_with("now_us 1500000 mode manual speed max reached "));
  f.write("soon", [&](int r) { result = r; });
  EXPECT_EQ(result, -EINVAL);
  EXPECT_EQ(t.now_us(), 2'500'000u);
}

TEST(ClockFile, PacedAndWallClocksAreReadOnly) {
  damon::test::RecordingLog log;
  damon::Timeline t({.manual = false, .speed = 100, .start_us = 1'000'000});
  ClockFile paced(t, now, log);
  EXPECT_FALSE(paced.writable());
  EXPECT_NE(paced.read().find(" mode paced speed 100 "), std::string::npos) << paced.read();
  int result = 1;
  paced.write("1s", [&](int r) { result = r; });
  EXPECT_EQ(result, -EIO);

  damon::SteadyClock steady;
  ClockFile wall(steady);
  EXPECT_FALSE(wall.writable());
  EXPECT_NE(wall.read().find(" mode wall speed 1 reached 1.0 keeping_up yes\n"), std::string::npos);
}

}  // namespace
}  // namespace damonfs::fs
