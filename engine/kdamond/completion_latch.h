// Blocking wait for one Completion: for tests and tools. The FUSE loop never
// uses this; it answers from the completion callback instead.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/kdamond/requests.h"

namespace damon {

class CompletionLatch {
 public:
  // A callback that records its result here. It keeps the latch alive, so a
  // waiter that gave up (wait_for timed out) leaves nothing dangling.
  static Completion completion(const std::shared_ptr<CompletionLatch>& latch) {
    return [latch](int result) { latch->set(result); };
  }

  void set(int result) {
    std::lock_guard lock(mu_);
    result_ = result;
    cv_.notify_all();
  }

  int wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return result_.has_value(); });
    return *result_;
  }

  // nullopt when no result came within `timeout`.
  std::optional<int> wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [this] { return result_.has_value(); });
    return result_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<int> result_;
};

}  // namespace damon
