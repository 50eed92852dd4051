// Engine parameters: what the sysfs layer hands the engine at `on`/`commit`.
//
// These mirror the kernel's struct damon_ctx / damos inputs as the sysfs
// tree stages them (values exactly as written, u64 where sysfs stores an
// unsigned long). Validation with the kernel's errno lives in the engine
// (core/validate.h), not here: this header is plain data so `fs/` can build
// it without knowing any engine internals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace damon {

// Half-open address range [start, end), in the context's core address units.
struct AddrRange {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t size() const { return end - start; }
  bool operator==(const AddrRange&) const = default;
};

enum class OpsId { vaddr, fvaddr, paddr };

struct IntervalsGoal {
  uint64_t access_bp = 0;
  uint64_t aggrs = 0;  // 0: auto-tuning off
  uint64_t min_sample_us = 0;
  uint64_t max_sample_us = 0;
  bool operator==(const IntervalsGoal&) const = default;
};

struct MonitoringAttrs {
  uint64_t sample_us = 5000;
  uint64_t aggr_us = 100000;
  uint64_t update_us = 60000000;
  IntervalsGoal intervals_goal;
  uint64_t min_nr_regions = 10;
  uint64_t max_nr_regions = 1000;
  bool operator==(const MonitoringAttrs&) const = default;
};

struct TargetParams {
  int pid = 0;                     // vaddr/fvaddr only
  bool obsolete = false;           // obsolete_target (6.19): drop at commit
  std::vector<AddrRange> regions;  // user-given initial/fixed regions
};

// Order = the kernel's enum order (also the order keywords are printed in).
enum class Action {
  willneed,
  cold,
  pageout,
  hugepage,
  nohugepage,
  collapse,
  // Splits large folios down to SchemeParams::target_order (mm tree).
  split,
  lru_prio,
  lru_deprio,
  migrate_hot,
  migrate_cold,
  stat,
};

// Closed ranges. sz in bytes (core units), nr_accesses in samples per
// aggregation, age in aggregation intervals.
struct AccessPattern {
  uint64_t min_sz = 0, max_sz = 0;
  uint64_t min_nr_accesses = 0, max_nr_accesses = 0;
  uint64_t min_age = 0, max_age = 0;
};

enum class GoalMetric {
  user_input,
  some_mem_psi_us,
  node_mem_used_bp,
  node_mem_free_bp,
  node_memcg_used_bp,
  node_memcg_free_bp,
  active_mem_bp,
  inactive_mem_bp,
  node_eligible_mem_bp,
  hugepage_mem_bp,
};

struct QuotaGoal {
  GoalMetric metric = GoalMetric::user_input;
  uint64_t target_value = 0;
  uint64_t current_value = 0;  // user_input only
  int nid = 0;
  std::string path;  // memcg path for node_memcg_* (as written, may end in '\n')
};

enum class GoalTuner { consist, temporal };

struct Quota {
  uint64_t ms = 0;
  uint64_t bytes = 0;
  uint64_t reset_interval_ms = 0;
  uint32_t weight_sz = 0;
  uint32_t weight_nr_accesses = 0;
  uint32_t weight_age = 0;
  std::vector<QuotaGoal> goals;  // goals with target_value 0 already dropped
  GoalTuner goal_tuner = GoalTuner::consist;
  uint32_t fail_charge_num = 0;
  uint32_t fail_charge_denom = 0;
};

enum class WatermarkMetric { none, free_mem_rate };

struct Watermarks {
  WatermarkMetric metric = WatermarkMetric::none;
  uint64_t interval_us = 0;
  uint64_t high = 0, mid = 0, low = 0;  // permil
};

enum class FilterType { anon, active, memcg, young, hugepage_size, unmapped, addr, target };

// addr and target are core-layer filters; the others are ops-layer.
inline bool is_core_filter(FilterType t) {
  return t == FilterType::addr || t == FilterType::target;
}

struct Filter {
  FilterType type = FilterType::anon;
  bool matching = false;
  bool allow = false;
  std::string memcg_path;             // memcg
  AddrRange addr;                     // addr
  uint64_t min_sz = 0, max_sz = 0;    // hugepage_size, closed range, bytes
  int target_idx = 0;                 // target
};

struct Dest {
  uint32_t node_id = 0;
  uint32_t weight = 0;
};

struct SchemeParams {
  AccessPattern pattern;
  Action action = Action::stat;
  uint64_t apply_interval_us = 0;  // 0: the aggregation interval
  Quota quota;
  Watermarks watermarks;
  int target_nid = -1;
  // split: the folio order large folios are split down to (0, or 2 up to
  // the PMD order minus one).
  uint32_t target_order = 0;
  std::vector<Dest> dests;
  // Installation order: core_filters/, ops_filters/, then filters/.
  std::vector<Filter> filters;
  uint64_t max_nr_snapshots = 0;  // 0: unlimited
};

// A data-attribute probe filter (monitoring_attrs/probes/P/filters/F,
// Linux 7.2): anon or memcg, judged per sampled page like a DAMOS ops filter.
struct ProbeFilter {
  FilterType type = FilterType::anon;
  bool matching = false;
  bool allow = false;
  std::string memcg_path;  // memcg (as written, may end in '\n')
  bool operator==(const ProbeFilter&) const = default;
};

// The kernel's DAMON_MAX_PROBES.
inline constexpr size_t kMaxProbes = 4;

// A data-attribute probe: each sampled page its filters pass is a hit.
struct ProbeParams {
  // 7.3: the probe's share in the score that replaces nr_accesses when any
  // probe has a weight (data attributes-only monitoring).
  uint32_t weight = 0;
  std::vector<ProbeFilter> filters;
  bool operator==(const ProbeParams&) const = default;
};

struct ContextParams {
  OpsId ops = OpsId::vaddr;
  uint64_t addr_unit = 1;
  bool pause = false;
  MonitoringAttrs attrs;
  std::vector<TargetParams> targets;
  std::vector<SchemeParams> schemes;
  std::vector<ProbeParams> probes;  // at most kMaxProbes
  // 7.3: tried regions report probe hits as the pseudo moving sum over the
  // last aggregation-long window instead of the current aggregation's count.
  bool probe_hits_moving_sum = false;
  // 7.2 (the mm tree's "strictly respect min_nr_regions"): at start and
  // after every aggregation's merge, the core cuts each region longer than
  // total size / min_nr_regions (aligned up to the min region size), so
  // every aggregation has at least min_nr_regions regions, a target given
  // as one region included; vaddr's init then leaves its three ranges whole.
  // Before 7.2 only vaddr's init splits, and a one-region paddr or fvaddr
  // target reaches min_nr_regions by the per-aggregation splits alone.
  bool min_nr_regions_from_start = false;
};

// Whether any probe has a weight: then the context runs data attributes-only
// monitoring (nr_accesses stays 0; merging and age use the weighted hits).
inline bool has_probe_weights(const ContextParams& p) {
  for (const ProbeParams& probe : p.probes)
    if (probe.weight) return true;
  return false;
}

// Snapshots handed back to the sysfs layer.
struct SchemeStats {
  uint64_t nr_tried = 0, sz_tried = 0;
  uint64_t nr_applied = 0, sz_applied = 0;
  uint64_t sz_ops_filter_passed = 0;
  uint64_t qt_exceeds = 0;
  uint64_t nr_snapshots = 0;
};

struct TriedRegion {
  uint64_t start = 0, end = 0;
  uint32_t nr_accesses = 0;
  uint32_t age = 0;
  uint64_t sz_filter_passed = 0;
  std::vector<uint32_t> probe_hits;  // one per installed probe
};

}  // namespace damon
