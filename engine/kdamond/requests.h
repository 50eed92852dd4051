// The requests other threads queue to a kdamond (the kernel's damon_call
// controls and damos_walk control), as the kdamond stores them.
//
// Completion callbacks run on the kdamond thread, exactly once per accepted
// request, with no kdamond lock held. They must not block for long: post to
// your own loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "engine/kdamond/damos_walk.h"
#include "engine/kdamond/repeat_handle.h"

namespace damon {

class KdamondWork;

// 0 or -errno: the request's own result, or -ECANCELED when the kdamond
// stopped before serving it.
using Completion = std::function<void(int result)>;

// Runs once at a safe point; its return value goes to `done`.
struct CallRequest {
  std::function<int(KdamondWork&)> fn;
  Completion done;
};

// Runs after every iteration whose control-clock time is at least one
// period past its previous run; the first run is at the first iteration
// after it was queued. `on_end` gets -ECANCELED when it ends.
struct RepeatRequest {
  std::shared_ptr<RepeatControl> control;
  std::function<void(KdamondWork&)> fn;
  Completion on_end;
  std::optional<uint64_t> last_run_us;  // kdamond-thread bookkeeping
};

struct KdamondWalkRequest {
  DamosWalk::RegionSink on_region;
  Completion done;
};

}  // namespace damon
