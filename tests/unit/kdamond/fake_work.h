// A KdamondWork for tests: counts iterations, can hold the loop inside
// iterate() (to pile requests up), stop itself, advance a control clock, and
// play the DAMOS side of a walk.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/clock.h"
#include "engine/kdamond/damos_walk.h"
#include "engine/kdamond/kdamond_work.h"
#include "tests/support/recording_log.h"

namespace damon::test {

// The log the tests' kdamonds and their tasks report to (what they report
// is a task ended by a signal).
inline RecordingLog& task_log() {
  static RecordingLog log;
  return log;
}

// Deadline for liveness waits: reaching it means a hang, not slowness.
inline constexpr std::chrono::seconds kHangTimeout{30};

// Polls `pred` until true or kHangTimeout. Returns the last value.
template <class Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + kHangTimeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

enum class WalkMode {
  unsupported,  // KdamondWork's default: cancel at once
  finish,       // report `walk_regions` regions at the next iterate(), then finish
  cancel,       // cancel at the next iterate() (like a watermark-deactivated scheme set)
  hold,         // never end the walk
};

// Shared between the test and the work; outlives the work (which the
// kdamond destroys on its own thread).
struct FakeProbe {
  // Configuration: set before Kdamond::start().
  int start_error = 0;
  uint64_t sleep_us = 100;
  uint64_t stop_after = 0;  // should_stop() once this many iterations ran; 0: never
  ManualClock* clock = nullptr;  // advanced by clock_step_us at each iterate()
  uint64_t clock_step_us = 0;
  WalkMode walk_mode = WalkMode::unsupported;
  size_t walk_regions = 3;
  std::function<void(uint64_t iteration)> on_iterate;  // kdamond thread

  // Observations.
  std::atomic<uint64_t> iterations{0};
  std::atomic<uint64_t> walks_begun{0};
  std::atomic<pid_t> start_tid{-1};
  std::atomic<pid_t> destroy_tid{-1};
  std::atomic<bool> destroyed{false};

  // iterate() blocks while `iterations` has reached `allowed`.
  void allow(uint64_t total_iterations) {
    std::lock_guard lock(mu);
    allowed = total_iterations;
    cv.notify_all();
  }
  void allow_all() { allow(std::numeric_limits<uint64_t>::max()); }
  // True once iterate() is blocked at the gate.
  bool held() {
    std::lock_guard lock(mu);
    return waiting_at_gate;
  }

  void pass_gate() {
    std::unique_lock lock(mu);
    waiting_at_gate = iterations.load() >= allowed;
    cv.wait(lock, [this] { return iterations.load() < allowed; });
    waiting_at_gate = false;
  }

  std::mutex mu;
  std::condition_variable cv;
  uint64_t allowed = std::numeric_limits<uint64_t>::max();
  bool waiting_at_gate = false;
};

class FakeWork final : public KdamondWork {
 public:
  explicit FakeWork(std::shared_ptr<FakeProbe> probe) : p_(std::move(probe)) {}
  ~FakeWork() override {
    p_->destroy_tid = gettid();
    p_->destroyed = true;
  }

  int start() override {
    p_->start_tid = gettid();
    return p_->start_error;
  }

  void iterate() override {
    p_->pass_gate();
    const uint64_t n = ++p_->iterations;
    if (p_->clock) p_->clock->advance(p_->clock_step_us);
    if (p_->on_iterate) p_->on_iterate(n);
    if (walk_) play_walk();
  }

  uint64_t next_sleep_us() override { return p_->sleep_us; }

  bool should_stop() override { return p_->stop_after && p_->iterations >= p_->stop_after; }

  void begin_walk(DamosWalk& walk) override {
    ++p_->walks_begun;
    if (p_->walk_mode == WalkMode::unsupported) {
      KdamondWork::begin_walk(walk);
      return;
    }
    walk_ = &walk;
  }

  // The region reported for the i-th place of a walk.
  static TriedRegion region(size_t i) {
    return TriedRegion{.start = i * 4096,
                       .end = (i + 1) * 4096,
                       .nr_accesses = static_cast<uint32_t>(i),
                       .age = static_cast<uint32_t>(2 * i),
                       .sz_filter_passed = 0,
                       .probe_hits = {}};
  }

 private:
  void play_walk() {
    switch (p_->walk_mode) {
      case WalkMode::finish:
        for (size_t i = 0; i < p_->walk_regions; ++i) walk_->report(i % 2, region(i));
        walk_->finish();
        walk_ = nullptr;
        break;
      case WalkMode::cancel:
        walk_->cancel();
        walk_ = nullptr;
        break;
      case WalkMode::hold:
      case WalkMode::unsupported:
        break;
    }
  }

  std::shared_ptr<FakeProbe> p_;
  DamosWalk* walk_ = nullptr;
};

// Opens the gate when a test leaves early (a failed ASSERT), so the
// Kdamond's destructor can stop the thread. Declare it after the Kdamond.
class OpenGateOnExit {
 public:
  explicit OpenGateOnExit(std::shared_ptr<FakeProbe> probe) : p_(std::move(probe)) {}
  ~OpenGateOnExit() { p_->allow_all(); }

 private:
  std::shared_ptr<FakeProbe> p_;
};

inline std::unique_ptr<KdamondWork> fake_work(const std::shared_ptr<FakeProbe>& probe) {
  return std::make_unique<FakeWork>(probe);
}

}  // namespace damon::test
