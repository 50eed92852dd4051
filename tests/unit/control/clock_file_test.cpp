// damonfs/clock: durations, the line it shows, and advancing a manual clock.
#include "fs/control/clock_file.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <thread>

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

// --clock from-on: the line says the mode and that time waits for the
// first kdamond's `on`; once one has joined, time is paced.
TEST(ClockFile, FromOnClockWaitsForTheFirstKdamond) {
  damon::test::RecordingLog log;
  damon::Timeline t({.manual = false, .speed = 100, .start_us = 1'000'000, .from_first_seat = true});
  ClockFile f(t, now, log);
  EXPECT_FALSE(f.writable());
  EXPECT_EQ(f.read(), "now_us 0 mode from-on speed 100 reached - keeping_up yes waiting_for_on yes\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(f.read().starts_with("now_us 0 mode from-on ")) << f.read();

  std::unique_ptr<damon::Timeline::Seat> seat = t.join();
  std::promise<void> due;
  seat->wait_for(100'000, [&due] { due.set_value(); });
  ASSERT_EQ(due.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  const std::string line = f.read();
  EXPECT_FALSE(line.starts_with("now_us 0 ")) << line;
  EXPECT_NE(line.find(" mode from-on speed 100 "), std::string::npos) << line;
  EXPECT_TRUE(line.ends_with(" waiting_for_on no\n")) << line;
  seat->leave();
}

// A kdamond on a paced timeline, on its own thread: each turn asks for
// `sleep_us` of simulated time, then works `work` of wall time.
class PacedKdamond {
 public:
  PacedKdamond(damon::Timeline& t, uint64_t sleep_us, std::chrono::microseconds work)
      : sleep_us_(sleep_us), work_us_(work.count()), seat_(t.join()), thread_([this] { run(); }) {}
  ~PacedKdamond() {
    stop_ = true;
    thread_.join();
  }
  void set_turn(uint64_t sleep_us, std::chrono::microseconds work) {
    sleep_us_ = sleep_us;
    work_us_ = work.count();
  }

 private:
  void run() {
    while (!stop_) {
      // `due` runs with the timeline's lock held: it only wakes this thread.
      std::promise<void> due;
      seat_->wait_for(sleep_us_, [&due] { due.set_value(); });
      due.get_future().wait();
      std::this_thread::sleep_for(std::chrono::microseconds(work_us_.load()));
    }
    seat_->leave();
  }

  std::atomic<uint64_t> sleep_us_;
  std::atomic<int64_t> work_us_;
  std::atomic<bool> stop_ = false;
  std::unique_ptr<damon::Timeline::Seat> seat_;
  std::thread thread_;
};

// Polls until `log` has a line with `text`, for at most 30 s (a hang, not
// a speed, is what the limit catches).
bool wait_for_line(const damon::test::RecordingLog& log, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (log.count(text) == 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

double reached(const std::string& line) {
  const size_t at = line.find(" reached ");
  return at == std::string::npos ? -1 : std::stod(line.substr(at + 9));
}

// A kdamond whose turns cost far more wall time than --speed allows (2 ms
// of work for every 100 us of simulated time: 0.05x at best, asked 1000x):
// the log says time runs slower, with the speed reached, and the clock
// line says keeping_up no. Once its turns are cheap again, both say it
// keeps up. (What is asserted does not depend on how fast the machine is:
// a slower one only falls further behind in the first part, and the
// second waits for any second without a lagging turn.)
TEST(ClockFile, PacedClockReportsFallingBehindAndCatchingUp) {
  damon::test::RecordingLog log;
  damon::Timeline t({.manual = false, .speed = 1000, .start_us = 1'000'000});
  ClockFile f(t, now, log);
  PacedKdamond kdamond(t, 100, std::chrono::milliseconds(2));
  ASSERT_TRUE(wait_for_line(log, "slower than --speed 1000: the kdamonds cannot keep up"));
  const std::string line = f.read();
  EXPECT_NE(line.find(" mode paced speed 1000 reached "), std::string::npos) << line;
  EXPECT_TRUE(line.ends_with(" keeping_up no\n")) << line;
  EXPECT_GT(reached(line), 0) << line;
  EXPECT_LT(reached(line), 900) << line;
  EXPECT_EQ(log.count("simulated time runs at "), 1u) << "reported once, not every turn";

  kdamond.set_turn(10'000'000, std::chrono::microseconds(0));
  ASSERT_TRUE(wait_for_line(log, "keeps up with --speed 1000 again"));
  EXPECT_TRUE(f.read().ends_with(" keeping_up yes\n")) << f.read();
}

}  // namespace
}  // namespace damonfs::fs
