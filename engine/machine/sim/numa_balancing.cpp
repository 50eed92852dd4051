// NUMA balancing in tiering mode, played on the simulation (numa_balancing.h).
#include <algorithm>
#include <cmath>

#include "engine/machine/sim/simulation.h"

namespace damon::sim {

void Simulation::numa_balance(uint64_t now) {
  for (SimProcess& p : procs_) {
    while (p.alive && p.numa.next_us <= now) {
      numa_scan(p, p.numa.next_us);
      p.numa.next_us += kNumaScanPeriodUs;
    }
  }
}

void Simulation::numa_scan(SimProcess& p, uint64_t t) {
  NumaScan& scan = p.numa;
  const size_t upper = p.home;
  const uint64_t high = mem_.min_free(upper) + 2 * mem_.watermark_gap(upper);
  // 1. Hinting faults on what the last scan protected: the pages touched
  //    since (within the hot threshold), each faulting once. Which pages of
  //    a range fault does not matter to the model (a region's pages are
  //    alike), so they are taken in address order.
  double budget = kNumaPromoteRateLimit * static_cast<double>(t - scan.last_us) * 1e-6 / kPageSize;
  bool wake_kswapd = false;
  for (const NumaScan::Range& range : scan.protected_ranges) {
    const uint64_t hot_until = std::min(t, scan.last_us + kNumaHotThresholdUs);
    const double prob = AccessSchedule::touch_probability(p.schedule.progress(range.region, scan.last_us),
                                                          p.schedule.progress(range.region, hot_until));
    uint64_t lower = 0;
    for (uint64_t v = range.first; v < range.end;) {
      auto e = p.extents.at(v);
      const uint64_t stop = std::min(range.end, e->first + e->second.pages);
      if (!e->second.lazy && !nodes()[e->second.node].has_cpu) lower += stop - v;
      v = stop;
    }
    uint64_t faults = static_cast<uint64_t>(std::llround(static_cast<double>(lower) * prob));
    for (uint64_t v = range.first; v < range.end && faults;) {
      auto e = p.extents.at(v);
      const Extent ext = e->second;
      if (ext.lazy || nodes()[ext.node].has_cpu) {
        v = e->first + ext.pages;
        continue;
      }
      const uint64_t folio = ext.huge ? kHugePages : 1;
      --faults;
      ++scan.hint_faults;
      p.stall_due_ns += kHintFaultNs;
      p.stalled_ns += kHintFaultNs;
      const bool room = mem_.free_pages(upper) > high + folio;
      if (room && budget >= static_cast<double>(folio) && migrate(PageRef{&p, v, ext.region}, upper)) {
        budget -= static_cast<double>(folio);
        scan.promoted_pages += folio;
        // The faulting thread copies the folio itself.
        const double copy_ns = static_cast<double>(folio * kPageSize) / machine_.migration_bandwidth * 1e9;
        p.stall_due_ns += copy_ns;
        p.stalled_ns += copy_ns;
      } else if (!room) {
        wake_kswapd = true;
      }
      v = (v / folio + 1) * folio;
    }
  }
  if (wake_kswapd) demote_coldest(upper, high + mem_.watermark_gap(upper));

  // 2. Protect the next stretch: numa_scan_size of lower-node pages, or
  //    eight times that of address space (task_numa_work()'s two limits),
  //    from where the last scan stopped, wrapping around.
  scan.protected_ranges.clear();
  scan.last_us = t;
  const uint64_t want = machine_.numa_scan_size / kPageSize;
  uint64_t got = 0, walked = 0;
  uint32_t r = static_cast<uint32_t>(scan.cursor >> 40) % static_cast<uint32_t>(p.regions.size());
  uint64_t offset = scan.cursor & ((uint64_t{1} << 40) - 1);
  while (got < want && walked < 8 * want) {
    const SimRegion& reg = p.regions[r];
    if (offset >= reg.pages) {
      r = (r + 1) % static_cast<uint32_t>(p.regions.size());
      offset = 0;
      continue;
    }
    const uint64_t first = reg.first + offset;
    uint64_t v = first;
    while (v < reg.end() && got < want && walked < 8 * want) {
      auto e = p.extents.at(v);
      const uint64_t stop = std::min({reg.end(), e->first + e->second.pages, v + (want - got), v + (8 * want - walked)});
      if (!e->second.lazy && !nodes()[e->second.node].has_cpu) got += stop - v;
      walked += stop - v;
      v = stop;
    }
    scan.protected_ranges.push_back({r, first, v});
    offset = v - reg.first;
  }
  scan.cursor = (uint64_t{r} << 40) | offset;
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
      v = ext.lazy || ext.node != node ? next : v + (ext.huge ? kHugePages : 1);
    }
    if (mem_.free_pages(node) >= target) return;
  }
}

}  // namespace damon::sim
