// Process handles (pidfds) of the monitored processes.
//
// A pidfd keeps naming the process it was opened for: once that process
// is reaped, the pidfd says so even if its pid number is reused, which is
// what the kernel's DAMON gets from holding a struct pid. process_madvise(2)
// needs one too. Kernels without pidfd_open (before 5.3) fall back to
// kill(pid, 0).
//
// Thread-safe: one table serves every kdamond of the daemon.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "engine/machine/host/proc_io.h"

namespace damon::host {

class PidTable {
 public:
  // Whether `pid` still resolves to a task, as the kernel's get_pid_task():
  // true for a zombie, false once it is reaped.
  bool exists(int pid);
  // A pidfd for `pid`, or null with errno set. The table keeps it until
  // the process is seen reaped; the caller's reference keeps it open.
  std::shared_ptr<const UniqueFd> pidfd(int pid);

 private:
  std::shared_ptr<const UniqueFd> open_locked(int pid);

  std::mutex mu_;
  std::map<int, std::shared_ptr<const UniqueFd>> fds_;
  bool no_pidfd_ = false;  // ENOSYS seen: the kernel predates pidfd_open
};

}  // namespace damon::host
