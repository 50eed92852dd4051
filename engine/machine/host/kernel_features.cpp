#include "engine/machine/host/kernel_features.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <numa.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/machine/host/page_tables.h"
#include "engine/machine/host/proc_io.h"
#include "engine/machine/machine.h"

namespace damon::host {

namespace {

constexpr const char* kPageIdleBitmap = "/sys/kernel/mm/page_idle/bitmap";

// The pagemap entry of a page this process has just written.
PagemapEntry probe_written_page() {
  void* p = ::mmap(nullptr, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return {};
  *static_cast<volatile char*>(p) = 1;
  PagemapEntry e;
  Pagemap pm;
  std::vector<PagemapEntry> out;
  const uint64_t addr = reinterpret_cast<uintptr_t>(p);
  if (pm.open(::getpid()) == 0 && pm.entries({&addr, 1}, out) == 0) e = out[0];
  ::munmap(p, kPageSize);
  return e;
}

bool readable(const char* path) { return static_cast<bool>(open_file(path, O_RDONLY)); }

bool has_cap_sys_nice() {
  __user_cap_header_struct header{.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  return data[CAP_SYS_NICE / 32].effective & (1u << (CAP_SYS_NICE % 32));
}

std::string yes_no(bool v, const std::string& why_not = {}) {
  if (v) return "yes";
  return why_not.empty() ? "no" : "no (" + why_not + ")";
}

}  // namespace

KernelFeatures probe_kernel_features() {
  KernelFeatures f;
  const PagemapEntry page = probe_written_page();
  const bool pfns = page.pfn() != 0;
  f.soft_dirty = page.present() && page.soft_dirty();
  f.clear_refs = ::access("/proc/self/clear_refs", W_OK) == 0;
  f.page_flags = pfns && readable("/proc/kpageflags");
  f.page_cgroups = pfns && readable("/proc/kpagecgroup");
  f.numa = ::numa_available() != -1;
  f.cap_sys_nice = has_cap_sys_nice();

  if (::access(kPageIdleBitmap, F_OK) != 0) {
    f.page_idle_missing =
        "CONFIG_IDLE_PAGE_TRACKING is off in this kernel (no /sys/kernel/mm/page_idle/bitmap)";
  } else if (!open_file(kPageIdleBitmap, O_RDWR)) {
    f.page_idle_missing = std::string("cannot open ") + kPageIdleBitmap + ": " +
                          std::strerror(errno) + " (needs root)";
  } else if (!pfns) {
    f.page_idle_missing = "/proc/PID/pagemap hides page frame numbers (needs CAP_SYS_ADMIN)";
  } else if (!f.page_flags) {
    f.page_idle_missing = "/proc/kpageflags is not readable (needs root)";
  } else {
    f.page_idle = true;
  }
  return f;
}

std::string KernelFeatures::describe() const {
  return "page_idle: " + yes_no(page_idle, page_idle_missing) + "\n" +
         "soft_dirty: " + yes_no(soft_dirty, "CONFIG_MEM_SOFT_DIRTY is off") + "\n" +
         "clear_refs: " +
         yes_no(clear_refs, "no /proc/PID/clear_refs: CONFIG_PROC_PAGE_MONITOR is off") + "\n" +
         "page flags (kpageflags): " + yes_no(page_flags, "needs root") + "\n" +
         "page memcgs (kpagecgroup): " + yes_no(page_cgroups, "needs root and CONFIG_MEMCG") +
         "\n" + "numa: " + yes_no(numa) + "\n" + "CAP_SYS_NICE: " + yes_no(cap_sys_nice) + "\n";
}

}  // namespace damon::host
