// One kdamond: the task that owns a monitoring context's live state, and
// the only way other threads reach that state (the kernel's damon_call and
// damos_walk).
//
// The sysfs layer keeps one Kdamond per kdamonds/<N> directory; each `on`
// hands it a fresh KdamondWork which lives and dies with the task. The task
// is a process of its own sharing the daemon's memory (parked_task.h); for
// the code here it behaves as a thread, and "the kdamond thread" below
// means it.
//
// Threading: every member may be called from any thread. Requests never
// block the caller (except the *_and_wait helpers); their callbacks run on
// the kdamond thread with no kdamond lock held. Callbacks (completions,
// on_exit) must not call start() or destroy the Kdamond; stop() from a
// callback only requests the stop.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "engine/clock.h"
#include "engine/kdamond/completion_latch.h"
#include "engine/kdamond/damos_walk.h"
#include "engine/kdamond/kdamond_loop.h"
#include "engine/kdamond/kdamond_work.h"
#include "engine/kdamond/parked_task.h"
#include "engine/kdamond/repeat_handle.h"
#include "engine/kdamond/request_inbox.h"
#include "engine/kdamond/requests.h"
#include "engine/kdamond/timeline.h"
#include "engine/log.h"

namespace damon {

class Kdamond {
 public:
  // Called on the kdamond thread when it has exited its loop (after every
  // request was cancelled), whatever the reason; not after a failed start().
  // The sysfs layer posts "state is off now" to its own loop from here.
  using ExitCallback = std::function<void(KdamondExit reason)>;

  // `log` (outliving this object) gets what the tasks it makes report
  // (ParkedTask). Repeating requests are throttled with real (steady) time.
  explicit Kdamond(Log& log);
  // Repeating requests are throttled with `control_clock`, which must outlive
  // this object. It is not the engine's clock (that one lives in the work).
  Kdamond(Log& log, const Clock& control_clock);
  // Runs on `timeline` (which must outlive this object, and is then the
  // control clock too): each start() takes a seat there, and the thread
  // waits for its turns instead of sleeping on the wall clock.
  Kdamond(Log& log, Timeline& timeline);
  // Stops the thread; pending requests complete with -ECANCELED.
  ~Kdamond();
  Kdamond(const Kdamond&) = delete;
  Kdamond& operator=(const Kdamond&) = delete;

  // Runs work->start() on the calling thread, then starts task
  // "kdamond.<index>" (the kernel numbers them by the count of kdamonds
  // already running) on it: `task` when given (see ParkedTask), else a new
  // one. Returns without waiting for the task to run: 0, or start()'s
  // -errno with no task started. -EBUSY when running; -EINVAL without a
  // work; -EDEADLK from a kdamond callback; -EAGAIN when no task can be
  // created.
  int start(unsigned index, std::unique_ptr<KdamondWork> work, ExitCallback on_exit = {},
            std::unique_ptr<ParkedTask> task = nullptr);

  // Asks the thread to exit at its next safe point; returns at once. False
  // when it was not running.
  bool request_stop();
  // request_stop(), then waits for the thread to exit. False when it was not
  // running (never started, already stopped, or stopped by itself).
  bool stop();

  // From a successful start() until the thread begins to exit.
  bool running() const { return inbox_.is_open(); }
  // The task's pid (the sysfs `pid` file) while running, else -1.
  pid_t tid() const;
  // The pid of the task the last successful start() launched, -1 before
  // any: unlike tid(), it does not turn -1 when that task has already
  // stopped by itself, so a caller that records it right after start()
  // always gets the task it started.
  pid_t started_tid() const { return tid_.load(std::memory_order_acquire); }

  // damon_call: `fn` runs once on the kdamond thread at its next safe point
  // (at once if it is sleeping, else after the current iteration); its
  // return value, or -ECANCELED if the kdamond stops first, goes to `done`.
  // Returns 0 when queued (`done` then runs exactly once), or -EINVAL when
  // not running (`done` never runs).
  int call(std::function<int(KdamondWork&)> fn, Completion done);

  // call() for a value: `done` (required) gets (0, fn's value) or
  // (-ECANCELED, T{}).
  template <class T>
  int call_value(std::function<T(KdamondWork&)> fn, std::function<void(int, T)> done) {
    auto value = std::make_shared<T>();
    return call(
        [fn = std::move(fn), value](KdamondWork& work) {
          *value = fn(work);
          return 0;
        },
        [done = std::move(done), value](int result) {
          done(result, result == 0 ? std::move(*value) : T{});
        });
  }

  // call() and wait for the result. -EDEADLK from the kdamond thread.
  int call_and_wait(std::function<int(KdamondWork&)> fn);

  // Repeat-mode damon_call: `fn` runs after each iteration at least
  // `period_us` of control-clock time after its previous run, the first time
  // after the next iteration. `on_end` runs once with -ECANCELED when the
  // request ends (handle cancel or period 0, or the kdamond stops). nullopt,
  // and on_end never runs, when not running or period_us is 0.
  std::optional<RepeatHandle> repeat(uint64_t period_us, std::function<void(KdamondWork&)> fn,
                                     Completion on_end = {});

  // damos_walk: the work streams regions to `on_region` (kdamond thread) and
  // `done` gets 0 when the walk finished, -ECANCELED when the work cancelled
  // it or the kdamond stopped. Returns 0 when queued, -EBUSY while another
  // walk is pending or in progress, -EINVAL when not running.
  int walk(DamosWalk::RegionSink on_region, Completion done);

 private:
  struct Launch {
    std::unique_ptr<KdamondWork> work;
    ExitCallback on_exit;
    std::unique_ptr<Timeline::Seat> seat;
  };
  void thread_main(std::unique_ptr<KdamondWork> work, ExitCallback on_exit,
                   std::unique_ptr<Timeline::Seat> seat);
  bool on_kdamond_thread() const;

  Log& log_;
  const Clock& control_clock_;
  Timeline* timeline_ = nullptr;
  RequestInbox inbox_;
  std::atomic<pid_t> tid_{-1};
  // The keeper thread of the task while it runs its loop, 0 otherwise: a
  // value, not the ParkedTask, so on_kdamond_thread() needs no lock and never
  // touches a task that the next start() may be freeing.
  std::atomic<pthread_t> current_keeper_{0};
  std::mutex lifecycle_mu_;  // serializes start(), stop() and the destructor
  std::unique_ptr<ParkedTask> thread_;
};

}  // namespace damon
