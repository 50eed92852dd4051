#include "engine/machine/host/process_actions.h"

#include <numa.h>
#include <numaif.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "engine/machine/host/uapi.h"

namespace damon::host {

namespace {

// process_madvise() caps one call at MAX_RW_COUNT bytes (just under 2 GiB).
constexpr uint64_t kMaxAdviseBytes = uint64_t{1} << 30;

struct Advice {
  int value;
  const char* name;
};

std::optional<Advice> advice_of(Action action) {
  switch (action) {
    case Action::willneed:
      return Advice{MADV_WILLNEED, "MADV_WILLNEED"};
    case Action::cold:
      return Advice{uapi::kMadvCold, "MADV_COLD"};
    case Action::pageout:
      return Advice{uapi::kMadvPageout, "MADV_PAGEOUT"};
    case Action::collapse:
      return Advice{uapi::kMadvCollapse, "MADV_COLLAPSE"};
    default:
      return std::nullopt;
  }
}

}  // namespace

void ProcessActions::report(int pid, const std::string& what, int err, const std::string& need) {
  // Gone (or exiting): the target turns invalid on its own.
  if (err == ESRCH) return;
  log_.failure(pid, what, err, permission_hint(err, need));
}

int ProcessActions::advise(int pid, AddrRange range, int advice) {
  const auto pidfd = pids_.pidfd(pid);
  if (!pidfd) return errno;
  int result = 0;
  for (uint64_t start = range.start; start < range.end; start += kMaxAdviseBytes) {
    iovec iov{.iov_base = reinterpret_cast<void*>(start),
              .iov_len = std::min(kMaxAdviseBytes, range.end - start)};
    // Like madvise(2), the call goes on past unmapped holes and reports
    // ENOMEM at the end; keep advising the other chunks either way.
    if (::syscall(uapi::kSysProcessMadvise, pidfd->get(), &iov, 1, advice, 0) < 0 && !result)
      result = errno;
  }
  return result;
}

uint64_t ProcessActions::madvise(int pid, AddrRange range, Action action) {
  if (range.end <= range.start) return 0;
  const std::optional<Advice> advice = advice_of(action);
  if (!advice) {
    log_.failure(pid, action == Action::hugepage ? "hugepage" : "nohugepage", EOPNOTSUPP,
                 "madvise(2) only changes the caller's own mappings and process_madvise(2) "
                 "refuses this advice: tried, never applied");
    return 0;
  }
  const int err = advise(pid, range, advice->value);
  if (!err) return range.size();
  // ENOMEM: the region covers unmapped addresses, routine for vaddr regions.
  if (err != ENOMEM)
    // EACCES: no ptrace access to the process; EPERM: that, but no
    // CAP_SYS_NICE, which acting on another process's memory takes.
    report(pid, std::string("process_madvise(") + advice->name + ")", err,
           err == EPERM ? "CAP_SYS_NICE" : "ptrace read access to the process");
  return 0;
}

bool ProcessActions::migrate(int pid, uint64_t addr, int node) {
  void* page = reinterpret_cast<void*>(addr);
  int status = -1;
  const int flags = move_all_ ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
  if (::numa_move_pages(pid, 1, &page, &node, &status, flags) != 0) {
    report(pid, "move_pages", errno, "ptrace access to the process: its user, or CAP_SYS_PTRACE");
    return false;
  }
  if (status == -EACCES) {
    // Mapped by several processes: only MPOL_MF_MOVE_ALL may move it.
    report(pid, "move_pages of pages other processes map too", EACCES,
           "CAP_SYS_NICE (MPOL_MF_MOVE_ALL)");
  }
  return status == node;
}

}  // namespace damon::host
