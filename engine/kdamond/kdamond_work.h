// The unit of work a kdamond thread drives.
//
// The kdamond (engine/kdamond/kdamond.h) knows nothing about regions or
// schemes: it sleeps, calls iterate(), and serves requests from other
// threads between iterations. The monitoring context plus DAMOS are adapted
// to this interface; tests drive the thread with a fake.
//
// start() is called on the thread that starts the kdamond, before the
// kdamond thread exists for it; every other member on the kdamond thread
// only, never concurrently. Nothing here may throw.
#pragma once

#include <cstdint>

namespace damon {

class DamosWalk;

class KdamondWork {
 public:
  virtual ~KdamondWork() = default;

  // Called once before the first sleep: builds the initial state (ops
  // init, first sample). 0 or -errno; on error no thread runs and
  // Kdamond::start() returns that value.
  virtual int start() = 0;

  // One loop iteration, called when the sleep from next_sleep_us() ended.
  virtual void iterate() = 0;

  // Real-time microseconds to wait before the next iterate(): the sampling
  // interval, or the watermark check interval while every scheme is
  // deactivated. Requests are served during the wait, so a long wait does
  // not delay them. The engine's own notion of time (damon::Clock inside the
  // work) is separate: a simulation may return 0 here and run unthrottled.
  virtual uint64_t next_sleep_us() = 0;

  // True when the work cannot go on (every target gone): the kdamond stops
  // by itself. Checked after each iterate() and after served requests.
  virtual bool should_stop() = 0;

  // A damos_walk begins (at most one at a time). The work reports, through
  // `walk`, every region a scheme is about to act on during its next
  // complete apply round, then calls walk.finish(); or walk.cancel() when the
  // walk cannot complete (no schemes, every scheme watermark-deactivated).
  // `walk` stays valid until finish()/cancel() is called or the work is
  // destroyed. A work without schemes keeps this default.
  virtual void begin_walk(DamosWalk& walk);
};

}  // namespace damon
