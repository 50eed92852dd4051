// NUMA balancing in memory-tiering mode (NUMAB-2: numa_balancing = 2 with
// demotion_enabled), as a baseline to compare DAMON-based tiering with:
// what a kernel does about tiering without DAMON.
//
// Every scan period the kernel's task_numa_work() protects the next
// numa_balancing_scan_size_mb of a process's memory (change_prot_numa());
// in tiering mode only pages on CPU-less (lower-tier) nodes are protected.
// A protected page's next access takes a hinting fault in the process's
// context (do_numa_page()); if the access came within the hot threshold of
// the scan, the faulting thread promotes the page to the upper node itself
// (migrate_misplaced_folio()), within the promotion rate limit and only
// while the upper node is above its high watermark; when it is not, kswapd
// wakes and reclaim demotes the upper node's coldest pages to the lower
// node until the promotion watermark. The simulation plays this once per
// scan period per process (Simulation::numa_balance()): faults are the
// expected number of protected pages touched since the scan, each costing
// its thread kHintFaultNs, and each promotion the copy of the page at the
// machine's migration_bandwidth on top.
#pragma once

#include <cstdint>
#include <vector>

namespace damon::sim {

// The kernel's defaults (kernel/sched/fair.c, mm/memory.c).
inline constexpr uint64_t kNumaScanDelayUs = 1000000;     // numa_balancing_scan_delay_ms
inline constexpr uint64_t kNumaScanPeriodUs = 1000000;    // numa_balancing_scan_period_min_ms
inline constexpr uint64_t kNumaHotThresholdUs = 1000000;  // numa_balancing_hot_threshold_ms
inline constexpr double kNumaPromoteRateLimit = 65536.0 * 1024 * 1024;  // numa_balancing_promote_rate_limit_MBps
// A hinting fault's cost to the faulting thread: a minor fault (exception
// entry and exit, PTE fix-up, the NUMA placement bookkeeping), about 1 us
// on current x86 servers. docs/simulator-performance-model.md.
inline constexpr double kHintFaultNs = 1000;

// Per process: the pages the last scan protected, and when.
struct NumaScan {
  struct Range {
    uint32_t region = 0;
    uint64_t first = 0, end = 0;  // virtual pages
  };
  uint64_t next_us = 0;  // next scan
  uint64_t last_us = 0;  // when `protected_ranges` were protected
  uint64_t cursor = 0;   // where the next scan starts: region index << 40 | page offset
  std::vector<Range> protected_ranges;
  uint64_t hint_faults = 0, promoted_pages = 0;
};

}  // namespace damon::sim
