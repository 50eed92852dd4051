// A thread made ahead of need: it exists, has a TID and sleeps until it is
// given the one task it will run.
//
// Starting a kdamond on a fresh thread means a clone() and then waiting for
// the scheduler to run the newborn, which on a busy machine takes
// milliseconds (a new thread queues behind the running ones; a woken
// sleeper does not). The sysfs layer keeps one parked thread in reserve so
// that `on` only has to wake it, and makes the next one after answering.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace damon {

class ParkedThread {
 public:
  // Creates the thread (without waiting for it to run). Throws
  // std::system_error when no thread can be created.
  ParkedThread();
  // Joins the task, or wakes a thread never given one and lets it exit.
  ~ParkedThread();
  ParkedThread(const ParkedThread&) = delete;
  ParkedThread& operator=(const ParkedThread&) = delete;

  // Waits, the first time, until the thread has run far enough to know it.
  pid_t tid();
  std::thread::id id() const { return thread_.get_id(); }

  // The name other processes see (/proc/TID/comm), at most 15 characters;
  // set from the caller's side, so it is visible when this returns. One
  // write to a file the thread opened for it while parked (naming another
  // thread by path costs a /proc lookup, tens of microseconds).
  void set_name(const std::string& name);

  // Runs `task` on the thread and returns at once. At most once.
  void launch(std::function<void()> task);

  // Waits for the launched task to end (no-op if never launched or joined).
  void join();

 private:
  void main();

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::function<void()>> task_;  // empty function: exit without a task
  pid_t tid_ = -1;
  int comm_fd_ = -1;  // the thread's /proc/thread-self/comm, opened by it
  std::thread thread_;
};

}  // namespace damon
