// Time for the engine. core/ never reads a clock directly: everything that
// needs "now" is handed a Clock, so tests step thousands of aggregation
// intervals instantly with a ManualClock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace damon {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic microseconds since an arbitrary epoch.
  virtual uint64_t now_us() const = 0;
  // True when now_us() cannot move while a kdamond works (between the
  // start and the end of its turn): work that times itself (DAMOS
  // charging an action's time to its quota) would read 0, and need not
  // read the clock at all, which on a shared clock takes a lock.
  virtual bool still_during_work() const { return false; }
};

class SteadyClock final : public Clock {
 public:
  uint64_t now_us() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

// Virtual time, advanced explicitly. Safe to read from other threads.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(uint64_t start_us = 0) : now_(start_us) {}
  uint64_t now_us() const override { return now_.load(std::memory_order_acquire); }
  void advance(uint64_t us) { now_.fetch_add(us, std::memory_order_acq_rel); }
  void set(uint64_t us) { now_.store(us, std::memory_order_release); }

 private:
  std::atomic<uint64_t> now_;
};

}  // namespace damon
