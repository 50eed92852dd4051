// Repeating requests (repeat-mode damon_call, refresh_ms): per-kdamond
// periods, period changes, cancellation.
#include <gtest/gtest.h>

#include <cerrno>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "engine/kdamond/kdamond.h"
#include "tests/unit/kdamond/fake_work.h"

namespace damon {
namespace {

using test::eventually;
using test::fake_work;
using test::FakeProbe;
using test::task_log;

constexpr uint64_t kStepUs = 1000;  // control-clock time per fake iteration

// The iterations at which a request queued before the first iteration runs,
// per the contract: first after iteration 1, then whenever at least
// `period_at(i)` µs passed since its last run; period 0 ends it.
std::vector<uint64_t> expected_runs(uint64_t iterations,
                                    const std::function<uint64_t(uint64_t)>& period_at) {
  std::vector<uint64_t> runs;
  for (uint64_t i = 1; i <= iterations; ++i) {
    const uint64_t period = period_at(i);
    if (period == 0) break;
    if (runs.empty() || (i - runs.back()) * kStepUs >= period) runs.push_back(i);
  }
  return runs;
}

// A kdamond on its own manual control clock, held before its first
// iteration, that stops by itself after `iterations`.
struct ClockedKdamond {
  explicit ClockedKdamond(uint64_t iterations) : kd(task_log(), clock), open_gate(probe) {
    probe->sleep_us = 0;
    probe->clock = &clock;
    probe->clock_step_us = kStepUs;
    probe->stop_after = iterations;
    probe->allow(0);
  }
  // Records the iteration each run happened at.
  std::optional<RepeatHandle> repeat(uint64_t period_us) {
    return kd.repeat(
        period_us,
        [this](KdamondWork&) {
          std::lock_guard lock(mu);
          runs.push_back(probe->iterations);
        },
        [this](int result) {
          std::lock_guard lock(mu);
          ends.push_back(result);
        });
  }
  std::vector<uint64_t> recorded_runs() {
    std::lock_guard lock(mu);
    return runs;
  }
  std::vector<int> recorded_ends() {
    std::lock_guard lock(mu);
    return ends;
  }

  ManualClock clock;
  std::shared_ptr<FakeProbe> probe = std::make_shared<FakeProbe>();
  Kdamond kd;
  test::OpenGateOnExit open_gate;
  std::mutex mu;
  std::vector<uint64_t> runs;
  std::vector<int> ends;
};

TEST(KdamondRepeat, TwoKdamondsEachRepeatAtTheirOwnPeriod) {
  constexpr uint64_t kIterations = 210;
  ClockedKdamond a(kIterations), b(kIterations);
  ASSERT_EQ(a.kd.start(0, fake_work(a.probe)), 0);
  ASSERT_EQ(b.kd.start(1, fake_work(b.probe)), 0);
  std::optional<RepeatHandle> ha = a.repeat(3 * kStepUs);
  std::optional<RepeatHandle> hb = b.repeat(7 * kStepUs);
  ASSERT_TRUE(ha && ha->active());
  ASSERT_TRUE(hb && hb->active());
  a.probe->allow_all();
  b.probe->allow_all();
  ASSERT_TRUE(eventually([&] { return !a.kd.running() && !b.kd.running(); }));
  // running() turns false before the exit ends pending requests; joining
  // the exited tasks (stop() only joins now) waits for that to finish.
  EXPECT_FALSE(a.kd.stop());
  EXPECT_FALSE(b.kd.stop());

  EXPECT_EQ(a.recorded_runs(), expected_runs(kIterations, [](uint64_t) { return 3 * kStepUs; }));
  EXPECT_EQ(b.recorded_runs(), expected_runs(kIterations, [](uint64_t) { return 7 * kStepUs; }));
  // The kdamond's exit ended each request once.
  EXPECT_EQ(a.recorded_ends(), std::vector<int>{-ECANCELED});
  EXPECT_EQ(b.recorded_ends(), std::vector<int>{-ECANCELED});
  EXPECT_FALSE(ha->active());
  EXPECT_FALSE(hb->set_period_us(1000));
}

TEST(KdamondRepeat, PeriodChangesAndZeroCancelsWhileRunning) {
  constexpr uint64_t kIterations = 80, kSlower = 20, kCancel = 50;
  ClockedKdamond k(kIterations);
  RepeatHandle handle;
  std::atomic<bool> changed{false}, cancelled{false}, revived{true};
  k.probe->on_iterate = [&](uint64_t i) {
    // From the kdamond thread here, to land on exact iterations; the
    // handle is the same one any thread would use.
    if (i == kSlower) changed = handle.set_period_us(5 * kStepUs);
    if (i == kCancel) {
      handle.cancel();
      cancelled = !handle.active();
      revived = handle.set_period_us(kStepUs);
    }
  };
  ASSERT_EQ(k.kd.start(0, fake_work(k.probe)), 0);
  std::optional<RepeatHandle> added = k.repeat(2 * kStepUs);
  ASSERT_TRUE(added);
  handle = *added;
  k.probe->allow_all();
  ASSERT_TRUE(eventually([&] { return !k.kd.running(); }));
  EXPECT_FALSE(k.kd.stop());  // joins: the exit has ended what it would end

  EXPECT_TRUE(changed);
  EXPECT_TRUE(cancelled);
  EXPECT_FALSE(revived);  // 0 is final: a new request is needed
  EXPECT_EQ(k.recorded_runs(), expected_runs(kIterations, [&](uint64_t i) -> uint64_t {
              if (i >= kCancel) return 0;
              return i >= kSlower ? 5 * kStepUs : 2 * kStepUs;
            }));
  // Ended by the cancel, not again by the exit.
  EXPECT_EQ(k.recorded_ends(), std::vector<int>{-ECANCELED});
}

TEST(KdamondRepeat, CancelFromAnotherThreadEndsItOnce) {
  auto probe = std::make_shared<FakeProbe>();
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  std::atomic<int> runs{0};
  auto ended = std::make_shared<CompletionLatch>();
  std::optional<RepeatHandle> handle =
      kd.repeat(1, [&](KdamondWork&) { ++runs; }, CompletionLatch::completion(ended));
  ASSERT_TRUE(handle);
  ASSERT_TRUE(eventually([&] { return runs.load() >= 3; }));
  handle->cancel();
  EXPECT_FALSE(handle->active());
  EXPECT_EQ(ended->wait_for(test::kHangTimeout), -ECANCELED);
  const int after_end = runs.load();
  // More iterations pass; the request does not run again.
  const uint64_t seen = probe->iterations;
  ASSERT_TRUE(eventually([&] { return probe->iterations > seen + 3; }));
  EXPECT_EQ(runs.load(), after_end);
}

TEST(KdamondRepeat, StopEndsQueuedAndActiveRequests) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 0;
  probe->allow(0);
  Kdamond kd(task_log());
  test::OpenGateOnExit open_gate(probe);
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  std::atomic<int> active_runs{0}, queued_runs{0};
  std::atomic<int> ends{0}, cancelled_ends{0};
  auto on_end = [&](int result) {
    ++ends;
    cancelled_ends += result == -ECANCELED;
  };
  std::optional<RepeatHandle> active = kd.repeat(1, [&](KdamondWork&) { ++active_runs; }, on_end);
  ASSERT_TRUE(active);
  // Taken in by the first iteration; the second is held at the gate.
  probe->allow(1);
  ASSERT_TRUE(eventually([&] { return probe->held() && active_runs.load() == 1; }));
  std::optional<RepeatHandle> queued = kd.repeat(1, [&](KdamondWork&) { ++queued_runs; }, on_end);
  ASSERT_TRUE(queued && queued->active());
  EXPECT_TRUE(kd.request_stop());
  probe->allow_all();
  kd.stop();
  EXPECT_EQ(queued_runs.load(), 0);
  EXPECT_EQ(ends.load(), 2);
  EXPECT_EQ(cancelled_ends.load(), 2);
  EXPECT_FALSE(active->active());
  EXPECT_FALSE(queued->active());
}

TEST(KdamondRepeat, NotRunningOrZeroPeriodIsNotQueued) {
  Kdamond kd(task_log());
  bool ended = false;
  EXPECT_FALSE(kd.repeat(1000, [](KdamondWork&) {}, [&](int) { ended = true; }));
  RepeatHandle none;
  EXPECT_FALSE(none.active());
  EXPECT_FALSE(none.set_period_us(10));

  auto probe = std::make_shared<FakeProbe>();
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  EXPECT_FALSE(kd.repeat(0, [](KdamondWork&) {}, [&](int) { ended = true; }));
  kd.stop();
  EXPECT_FALSE(ended);
}

// Real time, as the sysfs layer uses it: remembers the last reading so a
// run can see the time the kdamond throttled it with.
class RecordingSteadyClock final : public Clock {
 public:
  uint64_t now_us() const override {
    last_ = steady_.now_us();
    return last_;
  }
  uint64_t last_us() const { return last_; }

 private:
  SteadyClock steady_;
  mutable std::atomic<uint64_t> last_{0};
};

TEST(KdamondRepeat, RealClockRunsAreAtLeastOnePeriodApart) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 200;
  RecordingSteadyClock clock;
  Kdamond kd(task_log(), clock);
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  constexpr uint64_t kPeriodUs = 3000;
  std::mutex mu;
  std::vector<uint64_t> at;
  ASSERT_TRUE(kd.repeat(kPeriodUs, [&](KdamondWork&) {
    std::lock_guard lock(mu);
    at.push_back(clock.last_us());
  }));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return at.size() >= 5;
  }));
  kd.stop();
  std::lock_guard lock(mu);
  for (size_t i = 1; i < at.size(); ++i) EXPECT_GE(at[i] - at[i - 1], kPeriodUs);
}

}  // namespace
}  // namespace damon
