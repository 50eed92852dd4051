#include "engine/kdamond/parked_thread.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <utility>

namespace damon {

ParkedThread::ParkedThread() : thread_(&ParkedThread::main, this) {}

ParkedThread::~ParkedThread() {
  {
    std::lock_guard lock(mu_);
    if (!task_) task_.emplace();
  }
  cv_.notify_all();
  join();
  if (comm_fd_ >= 0) close(comm_fd_);
}

pid_t ParkedThread::tid() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return tid_ != -1; });
  return tid_;
}

void ParkedThread::set_name(const std::string& name) {
  tid();  // the file is open once the TID is known
  const std::string comm = name.substr(0, 15);
  if (comm_fd_ < 0 || write(comm_fd_, comm.data(), comm.size()) < 0)
    pthread_setname_np(thread_.native_handle(), comm.c_str());
}

void ParkedThread::launch(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    task_ = std::move(task);
  }
  cv_.notify_all();
}

void ParkedThread::join() {
  if (thread_.joinable()) thread_.join();
}

void ParkedThread::main() {
  std::function<void()> task;
  {
    const int comm_fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC);
    std::unique_lock lock(mu_);
    comm_fd_ = comm_fd;
    tid_ = gettid();
    cv_.notify_all();
    cv_.wait(lock, [this] { return task_.has_value(); });
    task = std::move(*task_);
  }
  if (task) task();
}

}  // namespace damon
