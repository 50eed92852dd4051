// Reading the simulated machine: page state, accessed bits, folios, truth.
#include <algorithm>

#include "engine/machine/sim/hash.h"
#include "engine/machine/sim/simulation.h"

namespace damon::sim {

Simulation::PageState Simulation::state(const PageRef& ref) {
  return state(ref, ref.proc->extents.at(ref.vpage));
}

Simulation::PageState Simulation::state(const PageRef& ref, ExtentMap::iterator extent) {
  PageState s;
  s.extent = extent;
  const Extent& e = s.extent->second;
  s.folio_first = ref.vpage;
  if (e.lazy) {
    const uint64_t rank = e.fs->rank_of(ref.vpage);
    s.resident = rank < e.fs->faulted();
    if (s.resident) {
      const FaultSet::Frame f = e.fs->frame_of(rank);
      s.node = static_cast<size_t>(f.node);
      s.pfn = f.pfn;
    }
    return s;
  }
  s.resident = true;
  s.node = e.node;
  s.pfn = e.pfn + (ref.vpage - s.extent->first);
  if (e.huge) {
    s.folio_first = ref.vpage / kHugePages * kHugePages;
    s.folio_pages = kHugePages;
  }
  return s;
}

const AccessSchedule::Progress& Simulation::progress(SimProcess& p, uint32_t region, uint64_t t) {
  SimRegion& r = p.regions[region];
  // The least recently used mark makes room: a window asks for its start
  // and then its end, and the end must not take the start's place.
  for (size_t i = 0; i < r.marks.size(); ++i) {
    if (r.marks[i].t == t && t) {
      r.next_mark = (i + 1) % r.marks.size();
      return r.marks[i];
    }
  }
  AccessSchedule::Progress& m = r.marks[r.next_mark];
  r.next_mark = (r.next_mark + 1) % r.marks.size();
  m = p.schedule.progress(region, t);
  r.window_marked = false;
  return m;
}

bool Simulation::touched(const PageRef& ref, uint64_t t0, uint64_t t1) const {
  if (t1 <= t0) return false;
  const SimProcess& p = *ref.proc;
  const AccessSchedule& s = p.schedule;
  return touched(p, ref.region, s.window(ref.region, s.progress(ref.region, t0), s.progress(ref.region, t1)),
                 ref.vpage, 1);
}

void Simulation::add_folio(std::vector<FolioInfo>& out, const SimProcess& p, const PageState& s, uint64_t addr,
                           const SimRegion& r) const {
  FolioInfo f;
  f.addr = addr;
  f.size = s.folio_pages * kPageSize;
  f.present = s.resident;
  f.anon = r.anon;
  f.active = s.resident && !s.extent->second.lazy && s.extent->second.active;
  f.mapped = true;
  f.node = s.resident ? nodes()[s.node].id : -1;
  f.memcg = p.cgroup;
  out.push_back(std::move(f));
}

std::vector<FolioInfo> Simulation::folios(Space space, AddrRange range) {
  std::vector<FolioInfo> out;
  if (range.end <= range.start) return out;
  const uint64_t first = range.start / kPageSize, end = (range.end + kPageSize - 1) / kPageSize;
  if (!space.physical()) {
    SimProcess* p = live(space.pid);
    if (!p) return out;
    uint64_t listed = 0;  // the end of the last folio listed
    for (uint32_t ri = 0; ri < p->regions.size(); ++ri) {
      const SimRegion& r = p->regions[ri];
      for (uint64_t v = std::max(first, r.first); v < std::min(end, r.end());) {
        const PageState s = state(PageRef{p, v, ri});
        // A folio over the edge from the region before was listed with it.
        if (s.folio_first >= listed) add_folio(out, *p, s, s.folio_first * kPageSize, r);
        v = listed = s.folio_first + s.folio_pages;
      }
    }
    return out;
  }
  // Physical: only frames some process owns are folios (free and reserved
  // frames are not on any LRU list, so DAMON skips them).
  uint64_t pfn = first;
  while (pfn < end) {
    const auto owned = mem_.next_owned(pfn);
    if (!owned || *owned >= end) break;
    pfn = *owned;
    const auto ref = resolve(Space::phys(), pfn * kPageSize);
    const PageState s = state(*ref);
    const uint64_t folio_pfn = s.pfn - (ref->vpage - s.folio_first);
    add_folio(out, *ref->proc, s, folio_pfn * kPageSize, ref->proc->regions[ref->region]);
    pfn = folio_pfn + s.folio_pages;
  }
  return out;
}

RegionTruth Simulation::region_truth(const SimProcess& p, const SimRegion& r) const {
  const size_t ri = static_cast<size_t>(&r - p.regions.data());
  const PhaseSpec& phase = p.schedule.phase(p.schedule.phase_at(now_));
  RegionTruth t;
  t.name = r.name;
  t.vaddr = {r.first * kPageSize, r.end() * kPageSize};
  t.anon = r.anon;
  t.phase = phase.name;
  t.access = p.alive ? phase.access[ri] : Access{};
  for (uint64_t pages : r.resident) t.resident_bytes.push_back(pages * kPageSize);
  t.nonresident_bytes = p.alive ? (r.pages - r.resident_pages()) * kPageSize : 0;
  t.active_bytes = r.active_pages * kPageSize;
  t.huge_bytes = r.huge_pages * kPageSize;
  return t;
}

}  // namespace damon::sim
