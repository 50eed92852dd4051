#include "engine/kdamond/request_inbox.h"

#include <cerrno>
#include <utility>

namespace damon {

void RequestInbox::open() {
  std::lock_guard lock(mu_);
  open_ = true;
  stop_requested_ = false;
  wake_pending_ = false;
  walk_busy_ = false;
  wake_ = nullptr;
  pending_ = Batch{};
}

void RequestInbox::set_waker(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  wake_ = std::move(wake);
  if (wake_pending_) wake_();
}

bool RequestInbox::is_open() const {
  std::lock_guard lock(mu_);
  return open_;
}

// One wake-up per non-empty inbox, however many requests pile up before the
// kdamond gets to them.
void RequestInbox::wake_locked() {
  if (wake_pending_) return;
  wake_pending_ = true;
  if (wake_) wake_();  // else set_waker() wakes the kdamond
}

int RequestInbox::push(CallRequest req) {
  std::lock_guard lock(mu_);
  if (!open_) return -EINVAL;
  pending_.calls.push_back(std::move(req));
  wake_locked();
  return 0;
}

int RequestInbox::push(RepeatRequest req) {
  std::lock_guard lock(mu_);
  if (!open_) return -EINVAL;
  pending_.repeats.push_back(std::move(req));
  wake_locked();
  return 0;
}

int RequestInbox::push(KdamondWalkRequest req) {
  std::lock_guard lock(mu_);
  if (!open_) return -EINVAL;
  if (walk_busy_) return -EBUSY;
  walk_busy_ = true;
  pending_.walk = std::move(req);
  wake_locked();
  return 0;
}

bool RequestInbox::request_stop() {
  std::lock_guard lock(mu_);
  if (!open_) return false;
  stop_requested_ = true;
  wake_locked();
  return true;
}

RequestInbox::Batch RequestInbox::take() {
  std::lock_guard lock(mu_);
  wake_pending_ = false;
  if (stop_requested_) {
    Batch stop;
    stop.stop_requested = true;
    return stop;
  }
  return std::exchange(pending_, Batch{});
}

void RequestInbox::walk_ended() {
  std::lock_guard lock(mu_);
  walk_busy_ = false;
}

RequestInbox::Batch RequestInbox::close() {
  std::lock_guard lock(mu_);
  open_ = false;
  walk_busy_ = false;
  wake_ = nullptr;
  Batch left = std::exchange(pending_, Batch{});
  left.stop_requested = stop_requested_;
  return left;
}

}  // namespace damon
