// NUMA balancing in tiering mode, played on the simulation (numa_balancing.h).
#include <algorithm>
#include <cmath>

#include "engine/machine/sim/simulation.h"

namespace damon::sim {

double Simulation::numa_scale() const {
  return static_cast<double>(machine_.numa_scan_size) / static_cast<double>(kNumaScanSizeDefault);
}

// task_scan_min(): scan_period_min shared among the windows of scan size
// the process's resident memory makes, never below the period that keeps
// the scan under MAX_SCAN_WINDOW. The kernel lets the period grow towards
// task_scan_max() while a task's faults are mostly local; a tiering task's
// faults are on the lower node, so it stays at the minimum.
uint64_t Simulation::numa_scan_period_us(const SimProcess& p) const {
  const uint64_t scan_pages = std::max<uint64_t>(1, machine_.numa_scan_size / kPageSize);
  const auto windows = std::max<uint64_t>(
      1, static_cast<uint64_t>(kNumaMaxScanWindow * numa_scale() / static_cast<double>(machine_.numa_scan_size)));
  uint64_t rss = 0;
  for (const SimRegion& r : p.regions) rss += r.resident_pages();
  const uint64_t rss_windows = std::max<uint64_t>(1, (rss + scan_pages - 1) / scan_pages);
  return std::max(uint64_t{1000000} / windows, kNumaScanPeriodMinUs / rss_windows);
}

void Simulation::numa_balance(uint64_t now) {
  if (numa_promo_.empty()) numa_promo_.resize(nodes().size());
  for (SimProcess& p : procs_) {
    while (p.alive && p.numa.next_us <= now) {
      numa_scan(p, p.numa.next_us);
      p.numa.next_us += numa_scan_period_us(p);
    }
  }
}

void Simulation::numa_scan(SimProcess& p, uint64_t t) {
  numa_faults(p, t);
  numa_protect(p, t);
}

// The hinting faults of the protected pages touched since the last scan,
// and the promotions they make (should_numa_migrate_memory()).
void Simulation::numa_faults(SimProcess& p, uint64_t t) {
  NumaScan& scan = p.numa;
  const size_t upper = p.home;
  NumaPromotion& promo = numa_promo_[upper];
  const uint64_t high = mem_.min_free(upper) + 2 * mem_.watermark_gap(upper);
  const double scale = numa_scale();
  const double enough = std::max(static_cast<double>(kNumaEnoughFloor) * scale / kPageSize,
                                 static_cast<double>(nodes()[upper].pages >> 4));
  const double rate_pages = kNumaPromoteRateLimit * scale / kPageSize;
  // numa_promotion_adjust_threshold(): once a period, the hot threshold
  // steps down when more pages passed it than the rate limit allows over
  // the period, and up (to twice the default) when fewer did.
  if (t - promo.th_start_us > kNumaThresholdPeriodUs) {
    const double ref = rate_pages * static_cast<double>(kNumaThresholdPeriodUs) * 1e-6;
    const double diff = promo.candidates - promo.th_candidates;
    const uint64_t unit = kNumaHotThresholdUs * 2 / kNumaAdjustSteps;
    uint64_t th = promo.threshold_us ? promo.threshold_us : kNumaHotThresholdUs;
    if (diff > ref * 1.1)
      th = std::max(th - unit, unit);
    else if (diff < ref * 0.9)
      th = std::min(th + unit, 2 * kNumaHotThresholdUs);
    promo.th_start_us = t;
    promo.th_candidates = promo.candidates;
    promo.threshold_us = th;
  }
  if (t - promo.rl_start_us > 1000000) {  // numa_promotion_rate_limit()'s one-second window
    promo.rl_start_us = t;
    promo.rl_candidates = promo.candidates;
  }
  const uint64_t threshold = promo.threshold_us ? promo.threshold_us : kNumaHotThresholdUs;

  double faults = scan.fault_carry;
  bool wake_kswapd = false;
  for (NumaScan::Range& range : scan.ranges) {
    if (range.pending < 0.5 || range.seen_us >= t) continue;
    // Faults with a latency under the threshold (`hot`) and the rest.
    const uint64_t split = std::clamp(range.protected_us + threshold, range.seen_us, t);
    const auto& from = p.schedule.progress(range.region, range.seen_us);
    const auto& mid = p.schedule.progress(range.region, split);
    const auto& to = p.schedule.progress(range.region, t);
    const double hot = range.pending * AccessSchedule::touch_probability(from, mid);
    const double late = (range.pending - hot) * AccessSchedule::touch_probability(mid, to);
    range.pending -= hot + late;
    range.seen_us = t;
    faults += hot + late;
    // With plenty of free memory upstairs every fault promotes; else the
    // hot ones, within the rate limit.
    double promote = hot + late;
    if (static_cast<double>(mem_.free_pages(upper)) <= static_cast<double>(high + mem_.watermark_gap(upper)) + enough) {
      promote = std::clamp(rate_pages - (promo.candidates - promo.rl_candidates), 0.0, hot);
      promo.candidates += hot;
    } else {
      promo.threshold_us = 0;  // "workload changed, reset hot threshold"
    }
    auto want = static_cast<uint64_t>(std::llround(promote));
    for (uint64_t v = range.first; v < range.end && want;) {
      auto e = p.extents.at(v);
      const Extent ext = e->second;
      if (ext.lazy || nodes()[ext.node].has_cpu) {
        v = e->first + ext.pages;
        continue;
      }
      const uint64_t folio = ext.huge ? kHugePages : 1;
      // migrate_balanced_pgdat(): no promotion into a node under its high
      // watermark; the failure wakes kswapd.
      if (mem_.free_pages(upper) <= high + folio) {
        wake_kswapd = true;
        break;
      }
      if (migrate(PageRef{&p, v, ext.region}, upper)) {
        scan.promoted_pages += folio;
        // The faulting thread migrates the folio itself.
        const double ns = machine_.numa_costs.migrate_overhead_ns +
                          static_cast<double>(folio * kPageSize) / machine_.migration_bandwidth * 1e9;
        p.stall_due_ns += ns;
        p.stalled_ns += ns;
      }
      want -= std::min(want, folio);
      v = (v / folio + 1) * folio;
    }
  }
  const double whole = std::floor(faults);
  scan.fault_carry = faults - whole;
  scan.hint_faults += static_cast<uint64_t>(whole);
  p.stall_due_ns += whole * machine_.numa_costs.hint_fault_ns;
  p.stalled_ns += whole * machine_.numa_costs.hint_fault_ns;
  if (wake_kswapd) demote_coldest(upper, high + mem_.watermark_gap(upper));
}

// task_numa_work(): from where the last scan stopped, stretches of up to
// the scan size left; a stretch with lower-node pages protects them and
// counts against the scan size, any stretch against eight times that of
// address space. At the end of the address space the scan stops and the
// next starts over.
void Simulation::numa_protect(SimProcess& p, uint64_t t) {
  NumaScan& scan = p.numa;
  const auto want = static_cast<int64_t>(machine_.numa_scan_size / kPageSize);
  int64_t pages = want, virt = 8 * want;
  auto r = static_cast<uint32_t>(scan.cursor >> 40);
  uint64_t offset = scan.cursor & ((uint64_t{1} << 40) - 1);
  if (r == 0 && offset == 0) ++scan.cycle;
  while (pages > 0 && virt > 0 && r < p.regions.size()) {
    const SimRegion& reg = p.regions[r];
    if (offset >= reg.pages) {
      ++r;
      offset = 0;
      continue;
    }
    const uint64_t first = reg.first + offset;
    const uint64_t end =
        std::min(reg.end(), (first + static_cast<uint64_t>(pages) + kHugePages - 1) / kHugePages * kHugePages);
    uint64_t lower = 0;
    for (uint64_t v = first; v < end;) {
      auto e = p.extents.at(v);
      const uint64_t stop = std::min(end, e->first + e->second.pages);
      if (!e->second.lazy && !nodes()[e->second.node].has_cpu) lower += stop - v;
      v = stop;
    }
    // What this stretch re-protects supersedes the last cycle's ranges up
    // to here.
    const uint64_t at = (uint64_t{r} << 40) | (end - reg.first);
    while (!scan.ranges.empty()) {
      const NumaScan::Range& old = scan.ranges.front();
      const uint64_t old_at = (uint64_t{old.region} << 40) | (old.first - p.regions[old.region].first);
      if (old.cycle + 1 < scan.cycle || (old.cycle < scan.cycle && old_at < at))
        scan.ranges.pop_front();
      else
        break;
    }
    const auto len = static_cast<int64_t>(end - first);
    if (lower) {
      pages -= len;
      scan.ranges.push_back({r, first, end, t, t, static_cast<double>(lower), scan.cycle});
      // The range's TLB flush reaches every thread's CPU.
      const double ns = machine_.numa_costs.shootdown_ns * p.threads;
      p.stall_due_ns += ns;
      p.stalled_ns += ns;
    }
    virt -= len;
    offset = end - reg.first;
  }
  scan.cursor = r < p.regions.size() ? (uint64_t{r} << 40) | offset : 0;
}

// Any allocation that leaves a node under its low watermark wakes the
// node's kswapd (the page allocator's slow path, wake_all_kswapds(), for
// every allocation allowed to: a process's page faults, and DAMOS
// migrations, whose GFP_NOWAIT carries __GFP_KSWAPD_RECLAIM). With
// demotion_enabled, kswapd demotes the node's coldest pages, in tiering
// mode until the promotion watermark (pgdat_balanced() in mm/vmscan.c).
// NUMA balancing's own promotions do not wake it this way (their
// allocations may not reclaim); numa_faults() wakes it when one fails.
// Without NUMA balancing the scenario has no demotion: the seed's other
// configurations leave demotion_enabled off and there is no swap.
void Simulation::wake_kswapd(size_t node) {
  if (!machine_.numa_balancing || !nodes()[node].has_cpu) return;
  const uint64_t gap = mem_.watermark_gap(node);
  if (mem_.free_pages(node) < mem_.min_free(node) + gap) demote_coldest(node, mem_.min_free(node) + 3 * gap);
}

// Reclaim-based demotion (kswapd with demotion_enabled): the node's least
// accessed pages go to the nearest node below it. The LRU lists' order is
// approximated by the access rate of each region in its current phase.
void Simulation::demote_coldest(size_t node, uint64_t target) {
  size_t lower = node;
  for (size_t n : nodes()[node].fallback)
    if (!nodes()[n].has_cpu) {
      lower = n;
      break;
    }
  if (lower == node) return;
  struct Candidate {
    double intensity;
    SimProcess* proc;
    uint32_t region;
  };
  std::vector<Candidate> order;
  for (SimProcess& p : procs_) {
    if (!p.alive) continue;
    const PhaseSpec& ph = p.schedule.phase(p.schedule.phase_at(now_));
    for (uint32_t r = 0; r < p.regions.size(); ++r)
      if (p.regions[r].resident[node]) order.push_back({ph.access[r].intensity, &p, r});
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const Candidate& a, const Candidate& b) { return a.intensity < b.intensity; });
  for (const Candidate& c : order) {
    const SimRegion& reg = c.proc->regions[c.region];
    for (uint64_t v = reg.first; v < reg.end() && mem_.free_pages(node) < target;) {
      auto e = c.proc->extents.at(v);
      const Extent ext = e->second;
      const uint64_t next = e->first + ext.pages;
      if (!ext.lazy && ext.node == node) migrate(PageRef{c.proc, v, c.region}, lower);
      v = ext.lazy || ext.node != node ? next : ext.huge ? (v / kHugePages + 1) * kHugePages : v + 1;
    }
    if (mem_.free_pages(node) >= target) return;
  }
}

}  // namespace damon::sim
