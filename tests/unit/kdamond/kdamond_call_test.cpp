// One-shot requests (damon_call): order, results, latency, cancellation.
#include <gtest/gtest.h>

#include <cerrno>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/kdamond/kdamond.h"
#include "tests/unit/kdamond/fake_work.h"

namespace damon {
namespace {

using test::eventually;
using test::fake_work;
using test::FakeProbe;
using test::task_log;

TEST(KdamondCall, RunsInOrderAndDeliversEachResult) {
  auto probe = std::make_shared<FakeProbe>();
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  constexpr int kCalls = 200;
  std::mutex mu;
  std::vector<int> ran, completed, results;
  auto last = std::make_shared<CompletionLatch>();
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_EQ(kd.call(
                  [&, i](KdamondWork&) {
                    std::lock_guard lock(mu);
                    ran.push_back(i);
                    return -(i % 7);
                  },
                  [&, i, last](int result) {
                    {
                      std::lock_guard lock(mu);
                      completed.push_back(i);
                      results.push_back(result);
                    }
                    if (i == kCalls - 1) last->set(0);
                  }),
              0);
  }
  ASSERT_EQ(last->wait_for(test::kHangTimeout), 0);
  std::lock_guard lock(mu);
  ASSERT_EQ(ran.size(), size_t{kCalls});
  ASSERT_EQ(completed.size(), size_t{kCalls});
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(ran[i], i);
    EXPECT_EQ(completed[i], i);
    EXPECT_EQ(results[i], -(i % 7));
  }
}

TEST(KdamondCall, CallValueHandsTheValueBack) {
  auto probe = std::make_shared<FakeProbe>();
  probe->stop_after = 0;
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  auto latch = std::make_shared<CompletionLatch>();
  std::string got;
  ASSERT_EQ(kd.call_value<std::string>(
                [](KdamondWork& w) {
                  return "sleep=" + std::to_string(w.next_sleep_us());
                },
                [&](int err, std::string value) {
                  got = std::move(value);
                  latch->set(err);
                }),
            0);
  ASSERT_EQ(latch->wait_for(test::kHangTimeout), 0);
  EXPECT_EQ(got, "sleep=" + std::to_string(probe->sleep_us));
}

TEST(KdamondCall, ServedDuringALongSleepWithoutWaitingForAnIteration) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 3600ull * 1000 * 1000;  // a watermark wait of an hour
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(kd.call_and_wait([](KdamondWork&) { return 7; }), 7);
  EXPECT_EQ(probe->iterations, 0u);
}

TEST(KdamondCall, NotRunningIsEinvalAndNeverCompletes) {
  Kdamond kd(task_log());
  bool completed = false;
  EXPECT_EQ(kd.call([](KdamondWork&) { return 0; }, [&](int) { completed = true; }), -EINVAL);
  EXPECT_EQ(kd.call_and_wait([](KdamondWork&) { return 0; }), -EINVAL);
  EXPECT_FALSE(completed);
}

// Requests pile up while the kdamond is inside a long iterate(); stopping
// it cancels every one of them, each waiter woken exactly once.
TEST(KdamondCall, StopCancelsEveryPendingRequestOnce) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 0;
  probe->allow(1);
  Kdamond kd(task_log());
  test::OpenGateOnExit open_gate(probe);
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  ASSERT_TRUE(eventually([&] { return probe->held(); }));

  constexpr int kThreads = 4, kPerThread = 50;
  std::atomic<int> ran{0}, cancelled{0}, other{0};
  std::vector<std::atomic<int>> completions(kThreads * kPerThread);
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * kPerThread + i;
        ASSERT_EQ(kd.call(
                      [&](KdamondWork&) {
                        ++ran;
                        return 0;
                      },
                          [&, id](int result) {
                            ++completions[id];
                            (result == -ECANCELED ? cancelled : other)++;
                          }),
                  0);
      }
    });
  }
  for (auto& p : posters) p.join();
  // Blocking waiters on other threads are woken too.
  std::vector<std::thread> waiters;
  std::atomic<int> waiter_cancelled{0};
  for (int t = 0; t < 3; ++t) {
    auto latch = std::make_shared<CompletionLatch>();
    ASSERT_EQ(kd.call([](KdamondWork&) { return 0; }, CompletionLatch::completion(latch)), 0);
    waiters.emplace_back([&, latch] { waiter_cancelled += latch->wait() == -ECANCELED; });
  }
  EXPECT_TRUE(kd.request_stop());
  probe->allow_all();
  kd.stop();
  for (auto& w : waiters) w.join();

  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(cancelled.load(), kThreads * kPerThread);
  for (auto& c : completions) EXPECT_EQ(c.load(), 1);
  EXPECT_EQ(waiter_cancelled.load(), 3);
}

TEST(KdamondCall, DestructionCancelsPendingRequests) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 0;
  probe->allow(0);
  auto latch = std::make_shared<CompletionLatch>();
  {
    Kdamond kd(task_log());
    test::OpenGateOnExit open_gate(probe);
    ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
    ASSERT_TRUE(eventually([&] { return probe->held(); }));
    ASSERT_EQ(kd.call([](KdamondWork&) { return 0; }, CompletionLatch::completion(latch)), 0);
    // The destructor's stop waits for the thread, so let iterate() return
    // once the stop is requested.
    EXPECT_TRUE(kd.request_stop());
    probe->allow_all();
  }
  EXPECT_EQ(latch->wait_for(std::chrono::milliseconds(0)), -ECANCELED);
}

TEST(KdamondCall, SelfStopStillServesRequestsQueuedDuringTheLastIteration) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 0;
  probe->allow(0);
  probe->stop_after = 1;
  Kdamond kd(task_log());
  test::OpenGateOnExit open_gate(probe);
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  ASSERT_TRUE(eventually([&] { return probe->held(); }));
  auto latch = std::make_shared<CompletionLatch>();
  ASSERT_EQ(kd.call([](KdamondWork&) { return 1; }, CompletionLatch::completion(latch)), 0);
  probe->allow_all();
  // Served after the iteration that made should_stop() true: the kernel
  // serves damon_call after sampling, before checking for termination.
  EXPECT_EQ(latch->wait_for(test::kHangTimeout), 1);
  EXPECT_TRUE(eventually([&] { return !kd.running(); }));
}

TEST(KdamondCall, CompletionMayQueueTheNextRequest) {
  auto probe = std::make_shared<FakeProbe>();
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  auto latch = std::make_shared<CompletionLatch>();
  std::atomic<int> second_queued{1};
  ASSERT_EQ(kd.call([](KdamondWork&) { return 0; },
                    [&](int) {
                      second_queued = kd.call([](KdamondWork&) { return 5; },
                                              CompletionLatch::completion(latch));
                    }),
            0);
  EXPECT_EQ(latch->wait_for(test::kHangTimeout), 5);
  EXPECT_EQ(second_queued.load(), 0);
}

}  // namespace
}  // namespace damon
