// Shares the chunks of one job between the calling thread and one helper
// thread, for the simulator's sampling when simulated time runs faster than
// the wall clock.
//
// With `--clock manual` or a high `--speed`, a kdamond samples back to back
// and the simulated hardware's answers (was each page touched?) are most of
// its time. Those answers are pure functions of each page, so a second core
// can work out half of them. The caller never waits for a helper that is
// not already working: it takes chunks itself until none are left, then
// waits only for a chunk the helper has begun. A helper asleep when a job
// comes is only woken when jobs come close together (the kdamond is
// running ahead of the wall clock); at the default speed it stays asleep
// and a job costs the caller nothing more than running it alone.
//
// Which thread runs a chunk never changes what it computes: results are the
// same, bit for bit, with or without the helper.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace damon::sim {

class ChunkRunner {
 public:
  enum class Wake {
    when_busy,  // jobs less than kBusyGap apart (the kdamond runs ahead of the wall clock)
    always,     // every job (tests)
    never,      // run every job on the caller alone
  };
  // Starts the helper thread unless `wake` is never or this process may
  // run on one CPU only (then it is never). Make it on a thread of the
  // daemon: a thread made on a kdamond's task (a process of its own,
  // parked_task.h) would join that task's thread group, show in its
  // /proc/PID/task, and keep it from ever being reaped.
  explicit ChunkRunner(Wake wake = Wake::when_busy);
  ~ChunkRunner();
  ChunkRunner(const ChunkRunner&) = delete;
  ChunkRunner& operator=(const ChunkRunner&) = delete;

  // Whether there is a helper thread at all.
  bool has_helper() const { return thread_.joinable(); }

  // Calls chunk(c) once for each c in [0, chunks), from this thread and
  // maybe the helper, and returns when all have returned. Calls of run()
  // must not overlap (the simulator makes them under its lock).
  void run(size_t chunks, const std::function<void(size_t)>& chunk);

 private:
  struct Job {
    uint64_t id;
    size_t chunks;
    const std::function<void(size_t)>* chunk;
    std::atomic<size_t> next{0}, done{0};
  };
  // Jobs closer together than this wake the helper: a kdamond sampling
  // back to back (an advance) starts one every few tens of microseconds,
  // while one paced by --speed sleeps between samples and is left alone.
  static constexpr std::chrono::microseconds kBusyGap{200};
  // How long the helper looks for the next job before it sleeps: longer
  // than the pause of an aggregation (merging, schemes), so that a run of
  // back-to-back samples never waits for it to wake.
  static constexpr std::chrono::microseconds kSpin{400};

  static void work(Job& job);
  void helper();
  bool wants_helper();

  const Wake wake_;
  std::thread thread_;  // not joinable when wake_ is never
  std::atomic<Job*> job_{nullptr};
  std::atomic<int> active_{0};  // helpers between reading job_ and done with it
  std::atomic<bool> sleeping_{false}, stop_{false};
  std::mutex mutex_;  // for sleeping only
  std::condition_variable cv_;
  uint64_t next_id_ = 1;
  std::chrono::steady_clock::time_point last_end_{};
};

}  // namespace damon::sim
