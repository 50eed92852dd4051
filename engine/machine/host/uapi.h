// Kernel user-space ABI values the host machine relies on that Debian 12's
// headers (Linux 6.1 UAPI, glibc 2.36) lack or never exported. The values
// are the kernel's ABI and never change, so carrying them is safe; the
// running kernel still decides whether it understands them (EINVAL/ENOSYS
// are reported like any other failure).
#pragma once

#include <sys/mman.h>
#include <sys/syscall.h>

#include <cstdint>

namespace damon::host::uapi {

// madvise(2) advices (include/uapi/asm-generic/mman-common.h).
#ifdef MADV_COLD
inline constexpr int kMadvCold = MADV_COLD;
#else
inline constexpr int kMadvCold = 20;
#endif
#ifdef MADV_PAGEOUT
inline constexpr int kMadvPageout = MADV_PAGEOUT;
#else
inline constexpr int kMadvPageout = 21;
#endif
#ifdef MADV_COLLAPSE
inline constexpr int kMadvCollapse = MADV_COLLAPSE;
#else
inline constexpr int kMadvCollapse = 25;         // Linux 6.1
#endif

// System calls. Numbers added since Linux 5.1 are the same on every
// architecture but alpha.
#ifdef SYS_pidfd_open
inline constexpr long kSysPidfdOpen = SYS_pidfd_open;
#else
inline constexpr long kSysPidfdOpen = 434;       // Linux 5.3
#endif
#ifdef SYS_pidfd_send_signal
inline constexpr long kSysPidfdSendSignal = SYS_pidfd_send_signal;
#else
inline constexpr long kSysPidfdSendSignal = 424;  // Linux 5.1
#endif
#ifdef SYS_process_madvise
inline constexpr long kSysProcessMadvise = SYS_process_madvise;
#else
inline constexpr long kSysProcessMadvise = 440;  // Linux 5.10
#endif

// /proc/PID/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst).
// The kernel keeps these in fs/proc/task_mmu.c, not in a UAPI header.
inline constexpr uint64_t kPmPfnMask =
    (uint64_t{1} << 55) - 1;  // when present; 0 without CAP_SYS_ADMIN
inline constexpr uint64_t kPmSoftDirty = uint64_t{1} << 55;
inline constexpr uint64_t kPmFile = uint64_t{1} << 61;  // file page or shared anonymous
inline constexpr uint64_t kPmPresent = uint64_t{1} << 63;

// /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h; all present
// in Debian 12's header, repeated here so the set used is in one place).
inline constexpr int kKpfLru = 5;
inline constexpr int kKpfActive = 6;
inline constexpr int kKpfMmap = 11;
inline constexpr int kKpfAnon = 12;
inline constexpr int kKpfCompoundHead = 15;
inline constexpr int kKpfCompoundTail = 16;
inline constexpr int kKpfNoPage = 20;

inline bool kpf(uint64_t flags, int bit) { return (flags >> bit) & 1; }

}  // namespace damon::host::uapi
