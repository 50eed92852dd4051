// DAMOS actions on another process, through the system calls user space
// has for that:
//
//   willneed, cold, pageout, collapse   process_madvise(2) on a pidfd
//                                       (CAP_SYS_NICE and ptrace access)
//   migrate_hot, migrate_cold           move_pages(2) via libnuma, per folio
//                                       (MPOL_MF_MOVE_ALL with CAP_SYS_NICE,
//                                       else only pages no other process maps)
//   hugepage, nohugepage                no interface: madvise(2) only
//                                       changes the caller's own mappings and
//                                       process_madvise refuses these advices.
//                                       Tried, never applied (0 bytes).
//
// Every failure other than "the process is gone" is logged once per process
// and operation (HostLog) and the action reports nothing applied.
#pragma once

#include <cstdint>

#include "engine/machine/host/host_log.h"
#include "engine/machine/host/kernel_features.h"
#include "engine/machine/host/pid_table.h"
#include "engine/params.h"

namespace damon::host {

class ProcessActions {
 public:
  ProcessActions(PidTable& pids, HostLog& log, const KernelFeatures& features)
      : pids_(pids), log_(log), move_all_(features.cap_sys_nice) {}

  // The DAMOS madvise action over [range.start, range.end) (page aligned):
  // all of it counts as applied when the kernel accepted the whole range,
  // none otherwise (an unmapped hole inside fails the call, as the kernel
  // DAMON's own madvise does, though the mapped parts are advised).
  uint64_t madvise(int pid, AddrRange range, Action action);
  // Moves the folio at `addr` (its first page) to `node`. True when it is
  // there afterwards.
  bool migrate(int pid, uint64_t addr, int node);

 private:
  // 0 or the errno of process_madvise over `range` in chunks the kernel
  // accepts in one call.
  int advise(int pid, AddrRange range, int advice);
  // Logs `err` for (pid, what) unless it only says the process is gone;
  // `need` is what a refused permission asks for.
  void report(int pid, const std::string& what, int err, const std::string& need);

  PidTable& pids_;
  HostLog& log_;
  bool move_all_;
};

}  // namespace damon::host
