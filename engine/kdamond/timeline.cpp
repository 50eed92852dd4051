#include "engine/kdamond/timeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace damon {
namespace {

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
// A turn that starts this much wall time after its paced instant means the
// kdamonds cannot keep up: the debt is dropped rather than run off later.
constexpr uint64_t kLagBoundWallUs = 50'000;
// The speed reached is measured over windows of this much wall time.
constexpr uint64_t kWindowWallUs = 1'000'000;
// A manual advance under --speed keeps up when it reaches this share of it.
constexpr double kKeepingUp = 0.9;

uint64_t saturating_add(uint64_t a, uint64_t b) { return a > kNever - b ? kNever : a + b; }

}  // namespace

Timeline::Seat::~Seat() { leave(); }

void Timeline::Seat::wait_for(uint64_t sleep_us, std::function<void()> due) {
  Deferred later;
  {
    std::lock_guard lock(timeline_.mu_);
    if (state_ == State::gone) return;
    if (state_ != State::waiting) --timeline_.busy_;
    deadline_us_ = saturating_add(timeline_.now_us_, std::max<uint64_t>(sleep_us, 1));
    due_ = std::move(due);
    state_ = State::waiting;
    timeline_.dispatch_locked(later);
  }
  run(later);
}

void Timeline::Seat::leave() {
  Deferred later;
  {
    std::lock_guard lock(timeline_.mu_);
    if (state_ == State::gone) return;
    if (state_ != State::waiting) --timeline_.busy_;
    state_ = State::gone;
    due_ = nullptr;
    std::erase(timeline_.seats_, this);
    timeline_.dispatch_locked(later);
  }
  run(later);
}

Timeline::Timeline(Options options)
    : options_(options),
      now_us_(options.start_us),
      target_us_(options.start_us),
      base_sim_us_(options.start_us),
      base_wall_us_(wall_us()),
      started_(!options.from_first_seat),
      window_wall_us_(base_wall_us_),
      window_sim_us_(options.start_us) {
  if (options_.speed > 0) pacer_ = std::thread([this] { pacer_main(); });
}

Timeline::~Timeline() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  pacer_cv_.notify_all();
  if (pacer_.joinable()) pacer_.join();
}

uint64_t Timeline::wall_us() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

uint64_t Timeline::now_us() const {
  std::lock_guard lock(mu_);
  if (!options_.manual && busy_ == 0) follow_wall_locked(wall_us());
  return now_us_;
}

Timeline::Status Timeline::status() const {
  std::lock_guard lock(mu_);
  if (!options_.manual) {
    const uint64_t wall = wall_us();
    if (busy_ == 0) follow_wall_locked(wall);
    measure_locked(wall);
  }
  return Status{.elapsed_us = now_us_ - options_.start_us,
                .manual = options_.manual,
                .speed = options_.speed,
                .reached = reached_,
                .behind = behind_,
                .waiting_for_first_seat = !started_};
}

std::unique_ptr<Timeline::Seat> Timeline::join() {
  std::lock_guard lock(mu_);
  if (!started_) {
    // Pace (and measure) from here, as if the timeline were made now.
    started_ = true;
    base_sim_us_ = window_sim_us_ = now_us_;
    base_wall_us_ = window_wall_us_ = wall_us();
  }
  std::unique_ptr<Seat> seat(new Seat(*this, next_order_++));
  seats_.push_back(seat.get());
  ++busy_;
  return seat;
}

void Timeline::advance(uint64_t us, std::function<void()> reached) {
  Deferred later;
  {
    std::lock_guard lock(mu_);
    if (!options_.manual) {
      later.push_back(std::move(reached));
    } else {
      if (waiters_.empty() && holds_ == 0) {
        // Time stood still since the last advance: pace (and measure) from here.
        base_sim_us_ = window_sim_us_ = now_us_;
        base_wall_us_ = window_wall_us_ = wall_us();
      }
      target_us_ = saturating_add(std::max(target_us_, now_us_), us);
      waiters_.push_back(Waiter{target_us_, std::move(reached)});
      dispatch_locked(later);
    }
  }
  run(later);
}

void Timeline::hold_progress() {
  Deferred later;
  {
    std::lock_guard lock(mu_);
    if (waiters_.empty() && holds_ == 0) {
      base_sim_us_ = now_us_;
      base_wall_us_ = wall_us();
    }
    ++holds_;
    dispatch_locked(later);
  }
  run(later);
}

void Timeline::release_progress() {
  Deferred later;
  {
    std::lock_guard lock(mu_);
    if (holds_ > 0) --holds_;
    dispatch_locked(later);
  }
  run(later);
}

void Timeline::on_pace_report(PaceReport report) {
  std::lock_guard lock(mu_);
  pace_report_ = std::move(report);
}

uint64_t Timeline::limit_locked(uint64_t wall) const {
  if (!started_) return now_us_;
  uint64_t paced = kNever;
  if (options_.speed > 0) {
    const double span = static_cast<double>(wall > base_wall_us_ ? wall - base_wall_us_ : 0);
    const double ahead = span * options_.speed;
    paced = ahead >= static_cast<double>(kNever - base_sim_us_)
                ? kNever
                : base_sim_us_ + static_cast<uint64_t>(ahead);
  }
  if (!options_.manual) return paced;
  return std::min(holds_ ? kNever : target_us_, paced);
}

Timeline::Seat* Timeline::next_seat_locked() const {
  Seat* next = nullptr;
  for (Seat* s : seats_) {
    if (s->state_ != Seat::State::waiting) continue;
    if (!next || s->deadline_us_ < next->deadline_us_ ||
        (s->deadline_us_ == next->deadline_us_ && s->order_ < next->order_))
      next = s;
  }
  return next;
}

void Timeline::dispatch_locked(Deferred& later) {
  if (busy_ > 0 || stopping_) return;
  pacer_wake_us_.reset();
  const bool paced = options_.speed > 0;
  const uint64_t wall = paced ? wall_us() : 0;
  Seat* next = next_seat_locked();
  const uint64_t limit = limit_locked(wall);
  if (next && next->deadline_us_ <= limit) {
    grant_locked(*next, wall);
  } else {
    // Nobody is due: time goes as far as it may (a manual hold with no
    // seat to run has nothing to wait for beyond the target).
    uint64_t reach = limit;
    if (options_.manual && reach == kNever) reach = target_us_;
    if (reach != kNever && reach > now_us_) now_us_ = reach;
    if (options_.manual) finish_advances_locked(later);
    if (paced) {
      uint64_t want = next ? next->deadline_us_ : kNever;
      if (options_.manual && !waiters_.empty()) want = std::min(want, target_us_);
      if (want != kNever && want > base_sim_us_) {
        const double wait = std::ceil(static_cast<double>(want - base_sim_us_) / options_.speed);
        pacer_wake_us_ = base_wall_us_ + static_cast<uint64_t>(wait);
        pacer_cv_.notify_one();
      }
    }
  }
  if (!options_.manual) measure_locked(wall);
  if (options_.speed > 0) {
    if (behind_ != reported_behind_ && reached_) {
      reported_behind_ = behind_;
      if (pace_report_) later.push_back([r = pace_report_, b = behind_, v = *reached_] { r(b, v); });
    }
  }
}

void Timeline::grant_locked(Seat& seat, uint64_t wall) {
  if (options_.speed > 0 && !options_.manual) {
    const uint64_t paced = limit_locked(wall);
    const auto bound = static_cast<uint64_t>(static_cast<double>(kLagBoundWallUs) * options_.speed);
    if (paced - seat.deadline_us_ > bound) {
      base_sim_us_ = seat.deadline_us_;
      base_wall_us_ = wall;
      window_lagged_ = true;
    }
  }
  if (seat.deadline_us_ > now_us_) now_us_ = seat.deadline_us_;
  seat.state_ = Seat::State::turn;
  ++busy_;
  seat.due_();
}

void Timeline::follow_wall_locked(uint64_t wall) const {
  if (options_.speed <= 0) return;
  uint64_t reach = limit_locked(wall);
  if (Seat* next = next_seat_locked()) reach = std::min(reach, next->deadline_us_);
  if (reach != kNever && reach > now_us_) now_us_ = reach;
}

void Timeline::measure_locked(uint64_t wall) const {
  if (options_.speed <= 0 || !started_ || wall < window_wall_us_ + kWindowWallUs) return;
  reached_ = static_cast<double>(now_us_ - window_sim_us_) /
             static_cast<double>(wall - window_wall_us_);
  behind_ = window_lagged_;
  window_lagged_ = false;
  window_wall_us_ = wall;
  window_sim_us_ = now_us_;
}

void Timeline::finish_advances_locked(Deferred& later) {
  bool finished = false;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (it->at_us > now_us_) {
      ++it;
      continue;
    }
    later.push_back(std::move(it->reached));
    it = waiters_.erase(it);
    finished = true;
  }
  if (finished && waiters_.empty()) {
    const uint64_t wall = wall_us();
    if (wall > window_wall_us_) {
      reached_ = static_cast<double>(now_us_ - window_sim_us_) /
                 static_cast<double>(wall - window_wall_us_);
      // An advance capped by --speed that ran well under the cap.
      behind_ = options_.speed > 0 && *reached_ < kKeepingUp * options_.speed;
    }
  }
}

void Timeline::pacer_main() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!pacer_wake_us_) {
      pacer_cv_.wait(lock);
      continue;
    }
    const uint64_t at = *pacer_wake_us_;
    if (wall_us() < at) {
      const std::chrono::steady_clock::time_point when{std::chrono::microseconds(at)};
      pacer_cv_.wait_until(lock, when);
      continue;
    }
    // A turn in progress dispatches again when it ends.
    pacer_wake_us_.reset();
    Deferred later;
    dispatch_locked(later);
    lock.unlock();
    run(later);
    lock.lock();
  }
}

void Timeline::run(Deferred& later) {
  for (auto& fn : later)
    if (fn) fn();
}

}  // namespace damon
