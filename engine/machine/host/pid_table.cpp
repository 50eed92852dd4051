#include "engine/machine/host/pid_table.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "engine/machine/host/uapi.h"

namespace damon::host {

std::shared_ptr<const UniqueFd> PidTable::open_locked(int pid) {
  auto it = fds_.find(pid);
  if (it != fds_.end()) return it->second;
  if (no_pidfd_ || pid <= 0) {
    errno = no_pidfd_ ? ENOSYS : ESRCH;
    return nullptr;
  }
  const long fd = ::syscall(uapi::kSysPidfdOpen, pid, 0);
  if (fd < 0) {
    if (errno == ENOSYS) no_pidfd_ = true;
    return nullptr;
  }
  auto handle = std::make_shared<const UniqueFd>(static_cast<int>(fd));
  fds_.emplace(pid, handle);
  return handle;
}

std::shared_ptr<const UniqueFd> PidTable::pidfd(int pid) {
  std::lock_guard lock(mu_);
  return open_locked(pid);
}

bool PidTable::exists(int pid) {
  std::lock_guard lock(mu_);
  auto fd = open_locked(pid);
  if (!fd) {
    // No pidfd for it: a kernel before 5.3, or a thread id (pidfd_open
    // wants a thread-group leader). kill(0) still tells whether it exists.
    if (errno == ESRCH || pid <= 0) return false;
    return ::kill(pid, 0) == 0 || errno == EPERM;
  }
  // Signal 0 through the pidfd checks only that the task is still attached
  // to its pid: it is until the zombie is reaped (a readable pidfd would
  // say exited, which is too early).
  if (::syscall(uapi::kSysPidfdSendSignal, fd->get(), 0, nullptr, 0) == 0 || errno == EPERM)
    return true;
  fds_.erase(pid);
  return false;
}

}  // namespace damon::host
