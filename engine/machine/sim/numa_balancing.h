// NUMA balancing in memory-tiering mode (NUMAB-2: numa_balancing = 2 with
// demotion_enabled), as a baseline to compare DAMON-based tiering with:
// what a kernel does about tiering without DAMON.
//
// Every scan period the kernel's task_numa_work(), run by one of the
// process's threads, protects the next numa_balancing_scan_size_mb of the
// process's address space (change_prot_numa()); in tiering mode only pages
// on CPU-less (lower-tier) nodes get PROT_NONE, and a stretch counts
// against the scan size only if it had some. The range's TLB entries are
// shot down on every CPU the process runs on. A protected page stays so
// until its next access, which takes a hinting fault in the faulting
// thread's context (do_numa_page()). If the upper node has plenty of free
// memory (pgdat_free_space_enough()) the thread promotes the page at once;
// otherwise only if the fault came within the hot threshold of the scan
// (numa_hint_fault_latency()) and within the promotion rate limit, and
// only while the upper node is above its high watermark. When it is not,
// kswapd wakes and reclaim demotes the upper node's coldest pages to the
// lower node until the promotion watermark; so does any other allocation
// (a page fault, a DAMOS migration) that leaves the upper node under its
// low watermark. The promoting thread does the migration itself
// (migrate_misplaced_folio()): isolation, allocation, unmap, copy, remap.
// The simulation plays this once per scan period per process
// (Simulation::numa_balance()), with the expected number of faults from
// the access schedule. docs/simulator-performance-model.md has the
// sources of every figure.
#pragma once

#include <cstdint>
#include <deque>

#include "engine/machine/sim/scenario.h"

namespace damon::sim {

// The kernel's defaults (kernel/sched/fair.c, the numa_balancing_* sysctls
// of Documentation/admin-guide/sysctl/kernel.rst). The absolute sizes and
// rates (scan size, MAX_SCAN_WINDOW, the rate limit, the 1 GiB floor of
// the free-space test) scale with the scenario: by numa_scan_size / 256 MiB.
inline constexpr uint64_t kNumaScanSizeDefault = 256 * kMiB;  // numa_balancing_scan_size_mb
inline constexpr uint64_t kNumaScanDelayUs = 1000000;         // numa_balancing_scan_delay_ms
inline constexpr uint64_t kNumaScanPeriodMinUs = 1000000;     // numa_balancing_scan_period_min_ms
inline constexpr double kNumaMaxScanWindow = 2560.0 * kMiB;   // MAX_SCAN_WINDOW: bytes scanned per second at most
inline constexpr uint64_t kNumaHotThresholdUs = 1000000;      // numa_balancing_hot_threshold_ms
inline constexpr double kNumaPromoteRateLimit = 65536.0 * kMiB;  // numa_balancing_promote_rate_limit_MBps
inline constexpr uint64_t kNumaThresholdPeriodUs = 60000000;  // numa_balancing_scan_period_max_ms
inline constexpr uint64_t kNumaAdjustSteps = 16;              // NUMA_MIGRATION_ADJUST_STEPS
inline constexpr uint64_t kNumaEnoughFloor = kGiB;            // pgdat_free_space_enough()'s floor

// Per process: the ranges the scans protected and what is left of them.
struct NumaScan {
  struct Range {
    uint32_t region = 0;
    uint64_t first = 0, end = 0;  // virtual pages
    uint64_t protected_us = 0;    // when the scan protected it
    uint64_t seen_us = 0;         // faults are accounted up to here
    double pending = 0;           // protected lower-node pages not faulted yet
    uint64_t cycle = 0;           // the pass over the address space that protected it
  };
  uint64_t next_us = 0;  // next scan
  uint64_t cursor = 0;   // where the next scan starts: region index << 40 | page offset
  uint64_t cycle = 0;    // passes over the address space begun
  // Oldest first. A scan that comes round again re-protects what the last
  // pass's ranges held: they go as it passes them.
  std::deque<Range> ranges;
  uint64_t hint_faults = 0, promoted_pages = 0;
  double fault_carry = 0;  // fraction of a fault not counted yet
};

// Per upper node: the promotion throttles' state (struct pglist_data's
// nbp_* fields).
struct NumaPromotion {
  double candidates = 0;        // pages that passed the hot threshold (PGPROMOTE_CANDIDATE)
  uint64_t rl_start_us = 0;     // rate limit window
  double rl_candidates = 0;     // candidates at its start
  uint64_t th_start_us = 0;     // threshold adjustment period
  double th_candidates = 0;     // candidates at its start
  uint64_t threshold_us = 0;    // 0: the default
};

}  // namespace damon::sim
