// Simulated time shared by every kdamond of a mount and by the simulated
// machine, for `--speed` and `--clock manual`.
//
// The Timeline is the engine's Clock. Kdamonds do not sleep on the wall
// clock: each takes a Seat and says when it wants to run next. Time jumps
// from one deadline to the next, and only one seat runs at a time (its
// "turn"), in (deadline, seat order) order. Nothing else moves time, so a
// run is a pure function of the scenario, the seeds, the writes and the
// advances, whatever the threads' timing: the seeds' SimDriver, with real
// kdamond threads.
//
// How far time may go is the limit:
//   paced     start + (wall time since start) x speed; a pacer thread wakes
//             the timeline when the next deadline is due by the wall clock.
//             When the kdamonds cannot keep up, the debt is dropped (time
//             runs slower than asked rather than sprinting later) and the
//             speed reached is reported.
//   manual    the instant the last advance_to() asked for; with a speed,
//             an advance also runs no faster than that.
// With `from_first_seat`, time stands still at start until the first seat
// joins (the first kdamond turns on), and is paced from that instant: an
// experiment that starts DAMON with its workload, whatever a tool's set-up
// cost in wall time before that.
// A progress hold (a tried-regions walk waiting for an apply round) lifts
// the manual limit until released, so a one-threaded script that waits for
// a kdamond never waits for an advance nobody will write.
//
// Threading: every member may be called from any thread. Callbacks run
// with the timeline's lock held (a Seat's `due`) or after it is released
// (advance completions, pace reports); none may call back into the
// timeline synchronously.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/clock.h"

namespace damon {

class Timeline final : public Clock {
 public:
  struct Options {
    bool manual = false;
    // Simulated seconds per wall second; 0 runs unpaced (manual only).
    double speed = 1;
    // now_us() when created.
    uint64_t start_us = 0;
    // Time stands still until the first join() (not with manual).
    bool from_first_seat = false;
  };

  // What the clock file shows.
  struct Status {
    uint64_t elapsed_us = 0;  // since the timeline started
    bool manual = false;
    double speed = 0;  // asked; 0: unpaced
    // Simulated seconds per wall second over the last measured second of
    // running (paced), or the last advance (manual); nullopt until known.
    std::optional<double> reached;
    // The kdamonds could not keep up with the speed lately (paced), or in
    // the last advance (manual with a speed).
    bool behind = false;
    // from_first_seat, and no seat has joined yet.
    bool waiting_for_first_seat = false;
  };

  // (behind, reached): the kdamonds stopped or resumed keeping up.
  using PaceReport = std::function<void(bool behind, double reached)>;

  // One participant (a kdamond). It is busy from join() until its first
  // wait_for(): time does not move while any seat is busy or has its turn.
  class Seat {
   public:
    ~Seat();  // leave()
    Seat(const Seat&) = delete;
    Seat& operator=(const Seat&) = delete;

    // Ends this seat's turn (or its start) and asks for the next one
    // `sleep_us` from now (at least 1 µs, so that time always moves). `due`
    // runs once, with the timeline's lock held, when time has reached the
    // deadline and the turn is this seat's; until it returns control to
    // the timeline with wait_for() or leave(), nothing else runs.
    void wait_for(uint64_t sleep_us, std::function<void()> due);
    // Gives up its turn and every future one. Idempotent; no `due` runs
    // after it returns.
    void leave();

   private:
    friend class Timeline;
    Seat(Timeline& timeline, uint64_t order) : timeline_(timeline), order_(order) {}
    Timeline& timeline_;
    const uint64_t order_;  // ties between equal deadlines go to the older seat
    enum class State { busy, waiting, turn, gone } state_ = State::busy;
    uint64_t deadline_us_ = 0;
    std::function<void()> due_;
  };

  explicit Timeline(Options options);
  ~Timeline() override;
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  uint64_t now_us() const override;
  // Time does not move while any seat is busy or has its turn.
  bool still_during_work() const override { return true; }
  Status status() const;
  bool manual() const { return options_.manual; }
  bool from_first_seat() const { return options_.from_first_seat; }

  std::unique_ptr<Seat> join();

  // Manual mode: moves the limit `us` past the previous advance's instant
  // (advances queue up) and runs `reached` (on some timeline caller's
  // thread) once every seat has run every turn up to that instant and time
  // stands there. Paced mode: ignored, `reached` runs at once.
  void advance(uint64_t us, std::function<void()> reached);

  // While held, manual time moves on by itself (see above). Holds count.
  void hold_progress();
  void release_progress();

  void on_pace_report(PaceReport report);

 private:
  using Deferred = std::vector<std::function<void()>>;
  struct Waiter {
    uint64_t at_us;
    std::function<void()> reached;
  };

  uint64_t wall_us() const;
  // The furthest instant time may reach now.
  uint64_t limit_locked(uint64_t wall) const;
  // Hands the next turn out, or moves idle time to the limit; what must run
  // unlocked goes to `later`.
  void dispatch_locked(Deferred& later);
  // Paced and idle: time follows the wall clock up to the next deadline.
  void follow_wall_locked(uint64_t wall) const;
  // Closes a speed measurement window once it is long enough.
  void measure_locked(uint64_t wall) const;
  void grant_locked(Seat& seat, uint64_t wall);
  Seat* next_seat_locked() const;
  void finish_advances_locked(Deferred& later);
  void pacer_main();

  static void run(Deferred& later);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable pacer_cv_;
  mutable uint64_t now_us_;
  std::vector<Seat*> seats_;
  uint64_t next_order_ = 0;
  unsigned busy_ = 0;  // seats busy or holding the turn
  unsigned holds_ = 0;
  // Manual: where the last advance goes; and those waiting for it.
  uint64_t target_us_;
  std::vector<Waiter> waiters_;
  // Paced: limit = base_sim + (wall - base_wall) x speed.
  mutable uint64_t base_sim_us_;
  mutable uint64_t base_wall_us_;
  // When the pacer should next look (wall µs); nullopt: nothing to wait for.
  std::optional<uint64_t> pacer_wake_us_;
  bool stopping_ = false;
  // Time may move: always, or (from_first_seat) once a seat has joined.
  bool started_;
  // Speed measurement windows (wall µs / simulated µs at their start).
  mutable uint64_t window_wall_us_;
  mutable uint64_t window_sim_us_;
  mutable bool window_lagged_ = false;
  mutable std::optional<double> reached_;
  mutable bool behind_ = false;
  bool reported_behind_ = false;
  PaceReport pace_report_;
  std::thread pacer_;
};

}  // namespace damon
