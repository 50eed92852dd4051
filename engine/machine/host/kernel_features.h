// What the running kernel (and our privileges) let user space see of page
// accesses and placement, probed once when the host machine starts.
#pragma once

#include <string>

namespace damon::host {

struct KernelFeatures {
  // Idle page tracking usable: /sys/kernel/mm/page_idle/bitmap opens for
  // reading and writing, pagemap shows page frame numbers and
  // /proc/kpageflags is readable (all need root).
  bool page_idle = false;
  // Why not, naming the missing kernel feature or privilege; "" when usable.
  std::string page_idle_missing;
  // Soft-dirty bits are tracked (CONFIG_MEM_SOFT_DIRTY): a freshly written
  // page shows pagemap bit 55.
  bool soft_dirty = false;
  // /proc/PID/clear_refs exists (CONFIG_PROC_PAGE_MONITOR).
  bool clear_refs = false;
  // Page frame numbers in pagemap and /proc/kpageflags, /proc/kpagecgroup
  // readable: folio flags (LRU, active, huge) and memcgs per page.
  bool page_flags = false;
  bool page_cgroups = false;
  // libnuma works (the kernel has NUMA and the mempolicy system calls).
  bool numa = false;
  // CAP_SYS_NICE: move_pages(MPOL_MF_MOVE_ALL) may move pages shared with
  // other processes, and process_madvise may act on other users' processes.
  bool cap_sys_nice = false;

  // One line per feature for a person ("page_idle: no (...)").
  std::string describe() const;
};

KernelFeatures probe_kernel_features();

}  // namespace damon::host
