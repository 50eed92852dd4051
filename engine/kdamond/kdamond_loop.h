// The body of a kdamond thread, once its work has started: sleep, iterate,
// serve requests, until asked to stop or the work says it is done; then
// cancel everything still queued.
#pragma once

#include <functional>
#include <memory>

#include "engine/clock.h"
#include "engine/kdamond/kdamond_work.h"
#include "engine/kdamond/request_inbox.h"
#include "engine/kdamond/timeline.h"

namespace damon {

enum class KdamondExit {
  stopped,    // Kdamond::stop()/request_stop() or destruction
  work_done,  // KdamondWork::should_stop() (e.g. every target gone)
};

// Runs on the kdamond thread, with `inbox` already open and the work
// started. Serves what was queued before it ran, then loops. On the way out it closes the inbox,
// destroys the work, and completes every request it still holds with
// -ECANCELED, in that order. `control_clock` throttles repeating requests.
// With a `seat`, the loop waits for its turns on that timeline instead of
// sleeping on the wall clock, and leaves it once the work is destroyed.
KdamondExit run_kdamond_loop(std::unique_ptr<KdamondWork> work, RequestInbox& inbox,
                             const Clock& control_clock,
                             std::unique_ptr<Timeline::Seat> seat = nullptr);

}  // namespace damon
