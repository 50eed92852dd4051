// The Timeline: simulated time shared by kdamonds, moved by manual
// advances, progress holds, or a pacer; and real Kdamond threads on it.
#include "engine/kdamond/timeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "engine/kdamond/kdamond.h"
#include "tests/unit/kdamond/fake_work.h"

namespace damon::test {
namespace {

constexpr uint64_t kStart = 1'000'000;

Timeline::Options manual() { return {.manual = true, .speed = 0, .start_us = kStart}; }

// `due` runs with the timeline's lock held, so a turn only queues its work
// here, and drain() runs it, as a kdamond's loop would.
// (A paced timeline's pacer thread may post.)
class Runner {
 public:
  std::function<void()> post(std::function<void()> fn) {
    return [this, fn = std::move(fn)] {
      std::lock_guard lock(mu_);
      queue_.push_back(fn);
    };
  }
  void drain() {
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard lock(mu_);
        if (queue_.empty()) return;
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
  }

 private:
  std::mutex mu_;
  std::deque<std::function<void()>> queue_;
};

// A seat whose every turn logs "name@time" and asks for the next.
struct Participant {
  Timeline& t;
  Runner& runner;
  std::string name;
  uint64_t sleep_us;
  std::vector<std::string>& log;
  std::function<void()> extra = {};
  std::unique_ptr<Timeline::Seat> seat = t.join();
  int turns = 0;

  void wait() {
    seat->wait_for(sleep_us, runner.post([this] {
      ++turns;
      log.push_back(name + "@" + std::to_string(t.now_us() - kStart));
      if (extra) extra();
      wait();
    }));
  }
};

TEST(Timeline, ManualAdvanceRunsEveryTurnUpToTheInstantInDeadlineOrder) {
  Timeline t(manual());
  Runner r;
  std::vector<std::string> log;
  Participant a{t, r, "a", 300, log};
  Participant b{t, r, "b", 200, log};
  a.wait();
  b.wait();
  r.drain();
  EXPECT_TRUE(log.empty()) << "time moved without an advance";

  bool reached = false;
  t.advance(600, [&] { reached = true; });
  r.drain();
  EXPECT_TRUE(reached);
  // Equal deadlines (600) go to the seat that joined first.
  EXPECT_EQ(log, (std::vector<std::string>{"b@200", "a@300", "b@400", "a@600", "b@600"}));
  EXPECT_EQ(t.now_us(), kStart + 600);
  EXPECT_EQ(t.status().elapsed_us, 600u);
  EXPECT_TRUE(t.status().manual);
}

TEST(Timeline, ABusySeatHoldsTimeUntilItWaits) {
  Timeline t(manual());
  Runner r;
  std::vector<std::string> log;
  // Busy from join(): like a kdamond whose thread is not running yet.
  Participant p{t, r, "p", 400, log};
  bool reached = false;
  t.advance(1000, [&] { reached = true; });
  EXPECT_FALSE(reached);
  EXPECT_EQ(t.now_us(), kStart);
  p.wait();
  r.drain();
  EXPECT_TRUE(reached);
  EXPECT_EQ(log, (std::vector<std::string>{"p@400", "p@800"}));
  EXPECT_EQ(t.now_us(), kStart + 1000);
}

TEST(Timeline, ATurnInProgressHoldsTimeUntilItEnds) {
  Timeline t(manual());
  auto seat = t.join();
  bool in_turn = false;
  seat->wait_for(100, [&] { in_turn = true; });
  bool reached = false;
  t.advance(1000, [&] { reached = true; });
  ASSERT_TRUE(in_turn);
  EXPECT_FALSE(reached);
  EXPECT_EQ(t.now_us(), kStart + 100);
  seat->leave();  // the kdamond stopped during its turn
  EXPECT_TRUE(reached);
  EXPECT_EQ(t.now_us(), kStart + 1000);
}

TEST(Timeline, AdvancesQueueUpAndCompleteInOrder) {
  Timeline t(manual());
  auto seat = t.join();
  std::vector<int> done;
  t.advance(10, [&] { done.push_back(1); });
  t.advance(20, [&] { done.push_back(2); });
  EXPECT_TRUE(done.empty());
  seat->wait_for(1'000'000, [] {});
  EXPECT_EQ(done, (std::vector<int>{1, 2}));
  EXPECT_EQ(t.now_us(), kStart + 30);
}

TEST(Timeline, AProgressHoldMovesManualTimeUntilReleased) {
  Timeline t(manual());
  Runner r;
  std::vector<std::string> log;
  Participant p{t, r, "p", 500, log};
  // The third turn makes the progress waited for.
  p.extra = [&] {
    if (p.turns == 3) t.release_progress();
  };
  p.wait();
  t.hold_progress();
  r.drain();
  EXPECT_EQ(p.turns, 3);
  EXPECT_EQ(t.now_us(), kStart + 1500) << "time stops where the progress was made";
  // The next advance starts from there.
  bool reached = false;
  t.advance(100, [&] { reached = true; });
  r.drain();
  EXPECT_TRUE(reached);
  EXPECT_EQ(t.now_us(), kStart + 1600);
  EXPECT_EQ(p.turns, 3);
}

TEST(Timeline, TimeAlwaysMovesAtLeastAMicrosecondPerTurn) {
  Timeline t(manual());
  Runner r;
  std::vector<std::string> log;
  Participant p{t, r, "p", 0, log};
  p.wait();
  bool reached = false;
  t.advance(5, [&] { reached = true; });
  r.drain();
  EXPECT_TRUE(reached);
  EXPECT_EQ(p.turns, 5);
}

TEST(Timeline, PacedTimeFollowsTheWallClockWithoutSeats) {
  Timeline t({.manual = false, .speed = 1000, .start_us = kStart});
  const uint64_t t0 = t.now_us();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // 5 ms of wall time is 5 s at 1000x; only "it moved a lot" is asserted.
  EXPECT_GT(t.now_us() - t0, 1'000'000u);
  EXPECT_FALSE(t.status().manual);
  bool reached = false;
  t.advance(10, [&] { reached = true; });
  EXPECT_TRUE(reached) << "advancing a paced clock is a no-op";
}

// --clock from-on: paced time stands at its start, however much wall time
// passes, until the first seat joins; then it is paced from there.
TEST(Timeline, FromFirstSeatStandsStillUntilASeatJoins) {
  Timeline t({.manual = false, .speed = 1000, .start_us = kStart, .from_first_seat = true});
  EXPECT_TRUE(t.status().waiting_for_first_seat);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // 5 s at 1000x, were it paced
  EXPECT_EQ(t.now_us(), kStart);
  EXPECT_EQ(t.status().elapsed_us, 0u);
  EXPECT_FALSE(t.status().reached) << "nothing ran to measure";

  std::unique_ptr<Timeline::Seat> seat = t.join();
  EXPECT_FALSE(t.status().waiting_for_first_seat);
  EXPECT_EQ(t.now_us(), kStart) << "a busy seat holds time";
  std::promise<void> due;  // runs with the timeline's lock held
  seat->wait_for(2'000'000, [&] { due.set_value(); });
  ASSERT_EQ(due.get_future().wait_for(kHangTimeout), std::future_status::ready);
  // The turn is still in progress: time stands at its deadline.
  EXPECT_EQ(t.now_us(), kStart + 2'000'000) << "the first turn comes 2 s after the join";
  seat->leave();
}

TEST(Timeline, PacedManualAdvanceEndsAtTheInstant) {
  Timeline t({.manual = true, .speed = 1e6, .start_us = kStart});
  std::promise<void> reached;
  t.advance(200'000, [&] { reached.set_value(); });
  ASSERT_EQ(reached.get_future().wait_for(kHangTimeout), std::future_status::ready);
  EXPECT_EQ(t.now_us(), kStart + 200'000);
  ASSERT_TRUE(t.status().reached.has_value());
}

// Real kdamond threads on one manual timeline: each iteration is one turn,
// and an advance returns once all of them have run every turn up to it.
TEST(Timeline, KdamondsOnAManualTimelineIterateExactlyUpToTheAdvance) {
  Timeline t(manual());
  std::mutex mu;
  std::vector<std::string> order;
  auto probe_a = std::make_shared<FakeProbe>();
  auto probe_b = std::make_shared<FakeProbe>();
  probe_a->sleep_us = 5000;
  probe_b->sleep_us = 3000;
  // append, not "a" + std::to_string(...): g++ 12 -O3 warns about that
  // with a false -Wrestrict (GCC bug 105329).
  probe_a->on_iterate = [&](uint64_t) {
    std::lock_guard lock(mu);
    order.push_back(std::string("a").append(std::to_string(t.now_us() - kStart)));
  };
  probe_b->on_iterate = [&](uint64_t) {
    std::lock_guard lock(mu);
    order.push_back(std::string("b").append(std::to_string(t.now_us() - kStart)));
  };
  Kdamond a(task_log(), t), b(task_log(), t);
  ASSERT_EQ(a.start(0, fake_work(probe_a)), 0);
  ASSERT_EQ(b.start(1, fake_work(probe_b)), 0);

  std::promise<void> reached;
  t.advance(15'000, [&] { reached.set_value(); });
  ASSERT_EQ(reached.get_future().wait_for(kHangTimeout), std::future_status::ready);
  EXPECT_EQ(probe_a->iterations, 3u);
  EXPECT_EQ(probe_b->iterations, 5u);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(order, (std::vector<std::string>{"b3000", "a5000", "b6000", "b9000", "a10000",
                                               "b12000", "a15000", "b15000"}));
  }
  // Nothing runs between advances.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(probe_a->iterations, 3u);
  a.stop();
  std::promise<void> second;
  t.advance(6000, [&] { second.set_value(); });
  ASSERT_EQ(second.get_future().wait_for(kHangTimeout), std::future_status::ready);
  EXPECT_EQ(probe_a->iterations, 3u) << "a stopped kdamond left the timeline";
  EXPECT_EQ(probe_b->iterations, 7u);
}

// Requests are served while the clock stands still, and the control clock
// (refresh_ms-like repeats) is the timeline.
TEST(Timeline, KdamondServesRequestsAndRepeatsInSimulatedTime) {
  Timeline t(manual());
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 1000;
  Kdamond k(task_log(), t);
  ASSERT_EQ(k.start(0, fake_work(probe)), 0);
  EXPECT_EQ(k.call_and_wait([](KdamondWork&) { return 7; }), 7);
  std::atomic<int> repeats{0};
  auto handle = k.repeat(10'000, [&](KdamondWork&) { ++repeats; });
  ASSERT_TRUE(handle.has_value());
  std::promise<void> reached;
  t.advance(100'000, [&] { reached.set_value(); });
  ASSERT_EQ(reached.get_future().wait_for(kHangTimeout), std::future_status::ready);
  EXPECT_EQ(probe->iterations, 100u);
  // First after the first iteration, then every 10 ms of simulated time.
  EXPECT_EQ(repeats, 10);
}

}  // namespace
}  // namespace damon::test
