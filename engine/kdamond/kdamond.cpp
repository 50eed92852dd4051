#include "engine/kdamond/kdamond.h"

#include <cerrno>
#include <string>
#include <system_error>

namespace damon {
namespace {

const Clock& steady_clock() {
  static const SteadyClock clock;
  return clock;
}

}  // namespace

Kdamond::Kdamond(Log& log) : Kdamond(log, steady_clock()) {}

Kdamond::Kdamond(Log& log, const Clock& control_clock) : log_(log), control_clock_(control_clock) {}

Kdamond::Kdamond(Log& log, Timeline& timeline)
    : log_(log), control_clock_(timeline), timeline_(&timeline) {}

Kdamond::~Kdamond() { stop(); }

int Kdamond::start(unsigned index, std::unique_ptr<KdamondWork> work, ExitCallback on_exit,
                   std::unique_ptr<ParkedTask> thread) {
  // A callback would wait for the lock its own thread's joiner holds.
  if (!work) return -EINVAL;
  if (on_kdamond_thread()) return -EDEADLK;
  std::lock_guard lock(lifecycle_mu_);
  if (running()) return -EBUSY;
  // The previous run may have stopped by itself; reap its thread.
  if (thread_) thread_->join();

  // Started here, so a failure leaves no thread behind and `on` does not
  // wait for a thread to be scheduled just to learn the result.
  if (int err = work->start()) return err;
  if (!thread) {
    try {
      thread = std::make_unique<ParkedTask>(log_);
    } catch (const std::system_error&) {
      return -EAGAIN;
    }
  }
  // Taken before the task runs, so that time cannot pass its first
  // deadline while it is being scheduled.
  std::unique_ptr<Timeline::Seat> seat = timeline_ ? timeline_->join() : nullptr;
  tid_.store(thread->pid(), std::memory_order_release);
  current_keeper_.store(thread->keeper(), std::memory_order_release);
  // Accepting from now on: requests wait in the inbox until the loop runs.
  inbox_.open();
  // Shared only to fit a copyable std::function; the task moves it out.
  auto launch =
      std::make_shared<Launch>(Launch{std::move(work), std::move(on_exit), std::move(seat)});
  // Linux task names are at most 15 characters: "kdamond." + 7 digits.
  thread->launch("kdamond." + std::to_string(index), [this, launch] {
    thread_main(std::move(launch->work), std::move(launch->on_exit), std::move(launch->seat));
  });
  thread_ = std::move(thread);
  return 0;
}

bool Kdamond::request_stop() { return inbox_.request_stop(); }

bool Kdamond::stop() {
  if (on_kdamond_thread()) return request_stop();
  std::lock_guard lock(lifecycle_mu_);
  const bool was_running = request_stop();
  if (thread_) thread_->join();
  return was_running;
}

pid_t Kdamond::tid() const { return running() ? tid_.load(std::memory_order_acquire) : -1; }

bool Kdamond::on_kdamond_thread() const {
  const pthread_t keeper = current_keeper_.load(std::memory_order_acquire);
  return keeper != 0 && pthread_equal(pthread_self(), keeper) != 0;
}

int Kdamond::call(std::function<int(KdamondWork&)> fn, Completion done) {
  return inbox_.push(CallRequest{std::move(fn), std::move(done)});
}

int Kdamond::call_and_wait(std::function<int(KdamondWork&)> fn) {
  if (on_kdamond_thread()) return -EDEADLK;
  auto latch = std::make_shared<CompletionLatch>();
  const int err = call(std::move(fn), CompletionLatch::completion(latch));
  return err != 0 ? err : latch->wait();
}

std::optional<RepeatHandle> Kdamond::repeat(uint64_t period_us,
                                            std::function<void(KdamondWork&)> fn,
                                            Completion on_end) {
  if (period_us == 0) return std::nullopt;
  auto control = std::make_shared<RepeatControl>(period_us);
  if (inbox_.push(RepeatRequest{control, std::move(fn), std::move(on_end), std::nullopt}) != 0)
    return std::nullopt;
  return RepeatHandle(std::move(control));
}

int Kdamond::walk(DamosWalk::RegionSink on_region, Completion done) {
  return inbox_.push(KdamondWalkRequest{std::move(on_region), std::move(done)});
}

void Kdamond::thread_main(std::unique_ptr<KdamondWork> work, ExitCallback on_exit,
                          std::unique_ptr<Timeline::Seat> seat) {
  const KdamondExit reason =
      run_kdamond_loop(std::move(work), inbox_, control_clock_, std::move(seat));
  if (on_exit) on_exit(reason);
  current_keeper_.store(0, std::memory_order_release);
}

}  // namespace damon
