#include "engine/kdamond/kdamond_loop.h"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace damon {
namespace {

namespace asio = boost::asio;

class Loop {
 public:
  Loop(std::unique_ptr<KdamondWork> work, RequestInbox& inbox, const Clock& control_clock,
       std::unique_ptr<Timeline::Seat> seat)
      : work_(std::move(work)), inbox_(inbox), clock_(control_clock), seat_(std::move(seat)) {}

  KdamondExit run() {
    // A request arriving while the thread sleeps is served right away from
    // the io_context: every moment outside iterate() is a safe point. Those
    // queued before the thread ran wake it at once.
    inbox_.set_waker([this] { asio::post(io_, [this] { on_wake(); }); });
    timer_.emplace(io_);
    // On a timeline no timer is pending between turns: the loop must not
    // run out of work then. Every way out stops the io_context.
    auto keep_running = asio::make_work_guard(io_);
    arm_timer();
    io_.run();
    shut_down();
    return exit_;
  }

 private:
  void arm_timer() {
    if (seat_) {
      // The turn ends here; the next one is posted like a timer expiry.
      seat_->wait_for(work_->next_sleep_us(), [this] { asio::post(io_, [this] { on_timer(); }); });
      return;
    }
    using std::chrono::steady_clock;
    const auto now = steady_clock::now();
    // Saturated: sysfs intervals go up to ULONG_MAX µs, more than a
    // steady_clock time point can hold; such a wait simply never ends.
    const int64_t room_us =
        std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::time_point::max() - now)
            .count();
    const uint64_t sleep_us = work_->next_sleep_us();
    const auto wait = std::chrono::microseconds(
        sleep_us < static_cast<uint64_t>(room_us) ? static_cast<int64_t>(sleep_us) : room_us);
    timer_->expires_at(now + std::chrono::duration_cast<steady_clock::duration>(wait));
    timer_->async_wait([this](const boost::system::error_code& ec) {
      if (!ec) on_timer();
    });
  }

  // Like the kernel's kdamond_fn: requests are served after the sampling
  // step, then repeating requests get their turn.
  void on_timer() {
    work_->iterate();
    settle_walk();
    if (!serve()) return;
    run_repeats();
    if (stop_if_work_done()) return;
    arm_timer();
  }

  void on_wake() {
    if (serve()) stop_if_work_done();
  }

  // False when the kdamond is exiting.
  bool serve() {
    RequestInbox::Batch batch = inbox_.take();
    if (batch.stop_requested) {
      exit_ = KdamondExit::stopped;
      io_.stop();
      return false;
    }
    for (CallRequest& call : batch.calls) {
      int result = call.fn(*work_);
      if (call.done) call.done(result);
    }
    for (RepeatRequest& repeat : batch.repeats) repeats_.push_back(std::move(repeat));
    if (batch.walk) begin_walk(std::move(*batch.walk));
    return true;
  }

  bool stop_if_work_done() {
    if (!work_->should_stop()) return false;
    exit_ = KdamondExit::work_done;
    io_.stop();
    return true;
  }

  void run_repeats() {
    const uint64_t now = clock_.now_us();
    for (size_t i = 0; i < repeats_.size();) {
      RepeatRequest& r = repeats_[i];
      const uint64_t period = r.control->period_us();
      if (period == 0) {
        RepeatRequest ended = std::move(r);
        repeats_.erase(repeats_.begin() + static_cast<std::ptrdiff_t>(i));
        if (ended.on_end) ended.on_end(-ECANCELED);
        continue;
      }
      if (!r.last_run_us || now - *r.last_run_us >= period) {
        r.last_run_us = now;
        r.fn(*work_);
      }
      ++i;
    }
  }

  void begin_walk(KdamondWalkRequest req) {
    walk_.emplace(std::move(req.on_region));
    walk_done_ = std::move(req.done);
    work_->begin_walk(*walk_);
    settle_walk();
  }

  // Completes the walk once the work ended it.
  void settle_walk() {
    if (!walk_ || !walk_->ended()) return;
    const int result = walk_->result();
    Completion done = std::move(walk_done_);
    walk_.reset();
    // Before `done`: its callback may want to start the next walk.
    inbox_.walk_ended();
    if (done) done(result);
  }

  void shut_down() {
    RequestInbox::Batch left = inbox_.close();
    // The work goes first, with the walk reference it may hold; nothing
    // below touches it. Only then may simulated time go on without it.
    work_.reset();
    if (seat_) seat_->leave();
    for (CallRequest& call : left.calls) {
      if (call.done) call.done(-ECANCELED);
    }
    for (RepeatRequest& r : left.repeats) repeats_.push_back(std::move(r));
    for (RepeatRequest& r : repeats_) {
      r.control->end();
      if (r.on_end) r.on_end(-ECANCELED);
    }
    repeats_.clear();
    if (walk_ && walk_done_) walk_done_(-ECANCELED);
    walk_.reset();
    if (left.walk && left.walk->done) left.walk->done(-ECANCELED);
  }

  std::unique_ptr<KdamondWork> work_;
  RequestInbox& inbox_;
  const Clock& clock_;
  std::unique_ptr<Timeline::Seat> seat_;
  asio::io_context io_;
  std::optional<asio::steady_timer> timer_;
  std::vector<RepeatRequest> repeats_;
  std::optional<DamosWalk> walk_;
  Completion walk_done_;
  KdamondExit exit_ = KdamondExit::stopped;
};

}  // namespace

KdamondExit run_kdamond_loop(std::unique_ptr<KdamondWork> work, RequestInbox& inbox,
                             const Clock& control_clock, std::unique_ptr<Timeline::Seat> seat) {
  return Loop(std::move(work), inbox, control_clock, std::move(seat)).run();
}

}  // namespace damon
