// Reading the simulated machine: page state, accessed bits, folios, truth.
#include <algorithm>

#include "engine/machine/sim/hash.h"
#include "engine/machine/sim/simulation.h"

namespace damon::sim {
namespace {

constexpr uint64_t kPage = 4096;

// Identifies a folio in the sampling table: process and page, never 0 (the
// empty slot's key). Virtual page numbers fit in 36 bits.
uint64_t folio_id(const SimProcess& p, uint64_t folio_first) { return (uint64_t{p.index} + 1) << 36 | folio_first; }

}  // namespace

Simulation::PageState Simulation::state(const PageRef& ref) {
  return state(ref, std::prev(ref.proc->extents.upper_bound(ref.vpage)));
}

Simulation::PageState Simulation::state(const PageRef& ref, std::map<uint64_t, Extent>::iterator extent) {
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

uint64_t Simulation::access_key(const SimProcess& p, uint32_t region, uint64_t vpage, uint64_t pages) const {
  // p.key is already a hash; the draws mix this again with each cell.
  return p.key ^ (((uint64_t{region} << 40) | (vpage - p.regions[region].first)) * 0x9e3779b97f4a7c15ULL) ^
         (pages * 0xc2b2ae3d27d4eb4fULL);
}

Simulation::SampleSlot* Simulation::sample_find(uint64_t key) {
  SampleSlot* set = &sampled_[(mix64(key) % kSampleSets) * kSampleWays];
  for (size_t i = 0; i < kSampleWays; ++i) {
    if (set[i].key == key) return &set[i];
  }
  return nullptr;
}

void Simulation::sample_set(uint64_t key, uint64_t since) {
  if (SampleSlot* slot = sample_find(key)) {
    slot->since = since;
    return;
  }
  SampleSlot* set = &sampled_[(mix64(key) % kSampleSets) * kSampleWays];
  SampleSlot* victim = &set[0];
  for (size_t i = 0; i < kSampleWays && victim->key; ++i) {
    if (!set[i].key || set[i].since < victim->since) victim = &set[i];
  }
  *victim = {key, since};
}

const AccessSchedule::Progress& Simulation::progress(SimProcess& p, uint32_t region, uint64_t t) {
  SimRegion& r = p.regions[region];
  for (const AccessSchedule::Progress& m : r.marks) {
    if (m.t == t && t) return m;
  }
  AccessSchedule::Progress& m = r.marks[r.next_mark];
  r.next_mark = (r.next_mark + 1) % r.marks.size();
  m = p.schedule.progress(region, t);
  return m;
}

void Simulation::mkold(const Lookup& page) {
  sample_set(folio_id(*page.ref.proc, page.state.folio_first), now_);
}

bool Simulation::young(const Lookup& page, bool clear) {
  const PageRef& ref = page.ref;
  const PageState& s = page.state;
  SimProcess& p = *ref.proc;
  const uint64_t id = folio_id(p, s.folio_first);
  const SampleSlot* sampled = sample_find(id);
  uint64_t since = p.cleared.since(s.folio_first, p.start_us);
  if (sampled) since = std::max(since, sampled->since);
  bool accessed = false;
  if (s.resident) {
    // A huge folio is young when any of its pages was touched: it draws
    // its accesses as one unit 512 times as busy as a page.
    const SimRegion& r = p.regions[ref.region];
    const AccessSchedule::Progress& from = progress(p, ref.region, since);
    const AccessSchedule::Progress& to = progress(p, ref.region, now_);
    accessed = p.schedule.touched(ref.region, access_key(p, ref.region, s.folio_first, s.folio_pages),
                                  (s.folio_first - r.first) * kPage, s.folio_pages * kPage, from, to);
  }
  if (clear) p.cleared.clear(s.folio_first, now_);
  return accessed;
}

bool Simulation::touched(const PageRef& ref, uint64_t t0, uint64_t t1) const {
  const SimProcess& p = *ref.proc;
  const SimRegion& r = p.regions[ref.region];
  return p.schedule.touched(ref.region, access_key(p, ref.region, ref.vpage, 1), (ref.vpage - r.first) * kPage,
                            kPage, t0, t1);
}

void Simulation::add_folio(std::vector<FolioInfo>& out, const SimProcess& p, const PageState& s, uint64_t addr,
                           const SimRegion& r) const {
  FolioInfo f;
  f.addr = addr;
  f.size = s.folio_pages * kPage;
  f.present = s.resident;
  f.anon = r.anon;
  f.active = s.resident && !s.extent->second.lazy && s.extent->second.active;
  f.mapped = true;
  f.node = s.resident ? nodes_[s.node].id : -1;
  f.memcg = p.cgroup;
  out.push_back(std::move(f));
}

std::vector<FolioInfo> Simulation::folios(Space space, AddrRange range) {
  std::vector<FolioInfo> out;
  if (range.end <= range.start) return out;
  const uint64_t first = range.start / kPage, end = (range.end + kPage - 1) / kPage;
  if (!space.physical()) {
    SimProcess* p = live(space.pid);
    if (!p) return out;
    for (uint32_t ri = 0; ri < p->regions.size(); ++ri) {
      const SimRegion& r = p->regions[ri];
      for (uint64_t v = std::max(first, r.first); v < std::min(end, r.end());) {
        const PageState s = state(PageRef{p, v, ri});
        add_folio(out, *p, s, s.folio_first * kPage, r);
        v = s.folio_first + s.folio_pages;
      }
    }
    return out;
  }
  // Physical: only frames some process owns are folios (free and reserved
  // frames are not on any LRU list, so DAMON skips them).
  uint64_t pfn = first;
  while (pfn < end) {
    auto it = rmap_.upper_bound(pfn);
    if (it != rmap_.begin() && std::prev(it)->first + std::prev(it)->second.count > pfn) --it;
    if (it == rmap_.end() || it->first >= end) break;
    pfn = std::max(pfn, it->first);
    const auto ref = resolve(Space::phys(), pfn * kPage);
    const PageState s = state(*ref);
    const uint64_t folio_pfn = s.pfn - (ref->vpage - s.folio_first);
    add_folio(out, *ref->proc, s, folio_pfn * kPage, ref->proc->regions[ref->region]);
    pfn = folio_pfn + s.folio_pages;
  }
  return out;
}

RegionTruth Simulation::region_truth(const SimProcess& p, const SimRegion& r) const {
  const size_t ri = static_cast<size_t>(&r - p.regions.data());
  const PhaseSpec& phase = p.schedule.phase(p.schedule.phase_at(now_));
  RegionTruth t;
  t.name = r.name;
  t.vaddr = {r.first * kPage, r.end() * kPage};
  t.anon = r.anon;
  t.phase = phase.name;
  t.access = p.alive ? phase.access[ri] : Access{};
  for (uint64_t pages : r.resident) t.resident_bytes.push_back(pages * kPage);
  t.nonresident_bytes = p.alive ? (r.pages - r.resident_pages()) * kPage : 0;
  t.active_bytes = r.active_pages * kPage;
  t.huge_bytes = r.huge_pages * kPage;
  return t;
}

}  // namespace damon::sim
