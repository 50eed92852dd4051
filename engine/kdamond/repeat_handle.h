// The caller's grip on a repeating request (the kernel's repeat-mode
// damon_call, e.g. refresh_ms): change its period or cancel it while the
// kdamond runs. Each request has its own period and its own throttle, so two
// kdamonds never share a deadline (the multi-kdamond refresh_ms bug fixed in
// Linux 6.17 came from one shared control object).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>

namespace damon {

// Shared by the handle and the kdamond. A period of 0 means the request has
// ended (cancelled by its owner or by the kdamond stopping); an ended request
// never comes back.
class RepeatControl {
 public:
  explicit RepeatControl(uint64_t period_us) : period_us_(period_us) {}

  // False when the request has already ended.
  bool set_period_us(uint64_t period_us);
  uint64_t period_us() const { return period_us_.load(std::memory_order_acquire); }
  bool ended() const { return period_us() == 0; }
  void end() { period_us_.store(0, std::memory_order_release); }

 private:
  std::atomic<uint64_t> period_us_;
};

// Cheap to copy; any thread. A default-constructed handle is inactive.
class RepeatHandle {
 public:
  RepeatHandle() = default;
  explicit RepeatHandle(std::shared_ptr<RepeatControl> control) : control_(std::move(control)) {}

  // New period, used from the next check on. 0 cancels: the kdamond frees
  // the request at its next iteration and calls its on_end with -ECANCELED.
  // Returns false when the request had already ended (add a new one).
  bool set_period_us(uint64_t period_us) {
    return control_ && control_->set_period_us(period_us);
  }
  void cancel() { set_period_us(0); }
  // False once cancelled or once the kdamond stopped.
  bool active() const { return control_ && !control_->ended(); }
  uint64_t period_us() const { return control_ ? control_->period_us() : 0; }

 private:
  std::shared_ptr<RepeatControl> control_;
};

}  // namespace damon
