#include "engine/machine/sim/chunk_runner.h"

#include <pthread.h>
#include <sched.h>

#include <csignal>

namespace damon::sim {
namespace {

// A busy-wait's pause: lets the other hyperthread run and saves power.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// The CPUs this process may run on (a cgroup's or taskset's limit, not the
// machine's count).
unsigned usable_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return static_cast<unsigned>(CPU_COUNT(&set));
}

}  // namespace

ChunkRunner::ChunkRunner(Wake wake) : wake_(usable_cpus() > 1 ? wake : Wake::never) {
  if (wake_ != Wake::never) thread_ = std::thread(&ChunkRunner::helper, this);
}

ChunkRunner::~ChunkRunner() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

bool ChunkRunner::wants_helper() {
  switch (wake_) {
    case Wake::always:
      return true;
    case Wake::never:
      return false;
    case Wake::when_busy:
      break;
  }
  return std::chrono::steady_clock::now() - last_end_ < kBusyGap;
}

void ChunkRunner::run(size_t chunks, const std::function<void(size_t)>& chunk) {
  Job job{next_id_++, chunks, &chunk};
  const bool wanted = wants_helper();
  // A helper still looking for work from the last busy stretch takes part
  // even when this job alone would not have woken it.
  if (thread_.joinable()) {
    job_.store(&job);
    if (wanted && sleeping_.load()) {
      std::lock_guard lock(mutex_);
      cv_.notify_one();
    }
  }
  work(job);
  while (job.done.load(std::memory_order_acquire) < chunks) cpu_relax();
  // The job lives on this stack: no helper may hold it after we return.
  job_.store(nullptr);
  while (active_.load() != 0) cpu_relax();
  last_end_ = std::chrono::steady_clock::now();
}

void ChunkRunner::work(Job& job) {
  for (;;) {
    const size_t c = job.next.fetch_add(1);
    if (c >= job.chunks) return;
    (*job.chunk)(c);
    job.done.fetch_add(1, std::memory_order_release);
  }
}

void ChunkRunner::helper() {
  // Signals are for the daemon's own threads (the FUSE loop's handlers).
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, nullptr);
  pthread_setname_np(pthread_self(), "damonfs-sampler");
  uint64_t seen = 0;  // the last job taken part in
  for (;;) {
    // The clock is read every so many polls: a read costs more than one.
    auto give_up = std::chrono::steady_clock::now() + kSpin;
    for (unsigned polls = 1; (polls % 64) || std::chrono::steady_clock::now() < give_up; ++polls) {
      if (!job_.load(std::memory_order_relaxed)) {
        cpu_relax();
        continue;
      }
      if (stop_) return;
      // Counted as active before the job is read again: run() clears job_
      // and then waits for active_ to be 0, so a job read here is alive.
      active_.fetch_add(1);
      if (Job* job = job_.load(); job && job->id != seen) {
        seen = job->id;
        work(*job);
        give_up = std::chrono::steady_clock::now() + kSpin;
      }
      active_.fetch_sub(1);
    }
    std::unique_lock lock(mutex_);
    sleeping_ = true;
    cv_.wait(lock, [this] { return stop_ || job_.load(); });
    sleeping_ = false;
    if (stop_) return;
  }
}

}  // namespace damon::sim
