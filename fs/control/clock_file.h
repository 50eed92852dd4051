// damonfs/clock: how simulated time passes on this mount, and, with
// `--clock manual`, the handle that moves it.
//
// Reading gives one line of "key value" pairs:
//
//   now_us N mode wall|paced|manual speed X|max reached R|- keeping_up yes|no
//   now_us N mode from-on speed X reached R|- keeping_up yes|no waiting_for_on yes|no
//
// now_us is the simulated time since the mount started. mode wall is the
// real-time default (--speed 1), paced runs --speed times faster than the
// wall clock, manual moves only when written, from-on is paced but stands
// at 0 until the first kdamond turns on (waiting_for_on yes until then). speed is what was asked (max:
// a manual clock without --speed), reached the simulated seconds per wall
// second actually run (paced: over the last second; manual: the last
// advance; - before any), keeping_up no when the kdamonds fell behind the
// --speed asked (paced: lately; manual: in the last advance).
//
// Writing a duration ("10s", "250ms", "100us", "1.5min", "2h") to a manual
// clock advances it; the write returns once every kdamond and the
// simulated machine have reached that instant.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "engine/clock.h"
#include "engine/kdamond/timeline.h"
#include "engine/log.h"

namespace damonfs::fs {

// Microseconds in a duration written to the clock; nullopt when malformed
// (a unit is required; a trailing newline is accepted).
std::optional<uint64_t> parse_duration_us(std::string_view text);

class ClockFile {
 public:
  // Runs `fn` on the tree's thread, later.
  using Post = std::function<void(std::function<void()> fn)>;

  // The wall clock (--speed 1): read-only.
  explicit ClockFile(const damon::Clock& wall);
  // Simulated time; writable when manual. Reports to `log` when paced
  // kdamonds stop or resume keeping up. `timeline` must outlive this
  // object, and `log` the timeline.
  ClockFile(damon::Timeline& timeline, Post post, damon::Log& log);

  bool writable() const { return timeline_ && timeline_->manual(); }
  std::string read() const;
  // 0 once the advance is over, -EINVAL for a malformed duration, -EIO
  // unless writable(). `done` runs on the tree's thread.
  void write(std::string_view data, std::function<void(int)> done);

 private:
  const damon::Clock* wall_ = nullptr;
  uint64_t wall_start_us_ = 0;
  damon::Timeline* timeline_ = nullptr;
  Post post_;
};

}  // namespace damonfs::fs
