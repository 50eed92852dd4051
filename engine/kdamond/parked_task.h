// The task a kdamond runs as, made ahead of need: it exists, has a pid and
// sleeps until it is given the one function it will run.
//
// A kdamond is a task of its own, as in the kernel: a process (thread-group
// leader) named kdamond.N, listed by ps, pgrep, pidof and /proc, whose pid
// is the sysfs `pid` file and whose CPU time (/proc/PID/stat) is the
// kdamond's own work. A thread cannot be that: /proc lists only thread-group
// leaders. So the task is a process made by clone() with CLONE_VM |
// CLONE_FS | CLONE_FILES and without CLONE_THREAD: it shares the daemon's
// memory, files and locks (the engine's data, the simulated machine, the
// FUSE loop's queue), but has its own pid, name and CPU accounting.
//
// Such a process runs C and C++ code on a thread's TLS (errno, malloc's
// cache, thread_locals, the stack canary). It borrows that of a keeper
// pthread made for it, which clones it, then only waits for it (wait4 with
// every signal blocked) and touches nothing until it has exited. The task's
// stack is carved from the keeper's own stack, so sanitizers see ordinary
// frames of the keeper.
//
// The task cannot be killed safely: it may hold a lock of the shared
// memory. If a signal ends it, the daemon reports it to the log and dies
// with the same signal. It dies with its keeper (PR_SET_PDEATHSIG), hence with the daemon.
//
// Under ThreadSanitizer (which tracks threads, not clone()d processes) the
// function runs on the keeper thread itself: the kdamond is then a thread
// named kdamond.N, its TID the `pid` file.
//
// Starting a kdamond on a new task would mean waiting for the scheduler to
// run the newborn, which on a busy machine takes milliseconds. The sysfs
// layer keeps one parked task in reserve so that `on` only has to wake it
// (a woken sleeper runs at once) and makes the next one after answering.
// A parked task keeps the daemon's name until it is launched; only the task
// itself can rename it (Linux refuses comm writes from another process).
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "engine/log.h"

namespace damon {

class ParkedTask {
 public:
  // Whether tasks are processes of their own in this build (false: threads,
  // under ThreadSanitizer).
  static const bool kOwnProcess;

  // Creates the keeper and the task (without waiting for them to run).
  // Throws std::system_error when no thread can be created. A task ended
  // by a signal is reported to `log`, which must outlive this object.
  explicit ParkedTask(Log& log);
  // Waits for the task, or wakes a task never given a function and lets it
  // exit.
  ~ParkedTask();
  ParkedTask(const ParkedTask&) = delete;
  ParkedTask& operator=(const ParkedTask&) = delete;

  // Waits, the first time, until the task has run far enough to know it.
  pid_t pid();
  // The keeper thread. pthread_self() gives it on the task too, whose TLS is
  // the keeper's: comparing with it tells whether the caller is the task.
  pthread_t keeper() const { return keeper_; }

  // Names the task `name` (what /proc/PID/comm, ps and pgrep show, at most
  // 15 characters), then runs `fn` on it. Returns once the name is visible,
  // without waiting for `fn`. At most once.
  void launch(const std::string& name, std::function<void()> fn);

  // Waits for the task to end (no-op if never launched or already joined).
  void join();

 private:
  static void* keeper_main(void* self);
  static int task_entry(void* self);
  // The task's life: publish the pid, wait for the function, run it.
  void run_parked();

  [[maybe_unused]] Log& log_;  // no task of its own to report under TSan
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::function<void()>> fn_;  // empty function: exit without running
  std::string name_;
  bool named_ = false;
  pid_t pid_ = -1;
  pthread_t keeper_{};
  bool joined_ = false;
};

}  // namespace damon
