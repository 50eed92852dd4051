// Reading the simulated machine: page state, accessed bits, folios, truth.
#include <algorithm>

#include "engine/machine/sim/hash.h"
#include "engine/machine/sim/simulation.h"

namespace damon::sim {
namespace {

constexpr uint64_t kPage = 4096;

// Identifies a folio in the young table (never 0, the empty slot's key).
uint64_t folio_id(const SimProcess& p, uint64_t folio_first) { return hash2(p.index + 1, folio_first) | 1; }

}  // namespace

Simulation::PageState Simulation::state(const PageRef& ref) {
  PageState s;
  s.extent = std::prev(ref.proc->extents.upper_bound(ref.vpage));
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
  return hash3(p.key, (uint64_t{region} << 40) | (vpage - p.regions[region].first), pages);
}

Simulation::YoungSlot* Simulation::young_find(uint64_t key) {
  YoungSlot* set = &young_[(mix64(key) % kYoungSets) * kYoungWays];
  for (size_t i = 0; i < kYoungWays; ++i) {
    if (set[i].key == key) return &set[i];
  }
  return nullptr;
}

void Simulation::young_set(uint64_t key, uint64_t since) {
  if (YoungSlot* slot = young_find(key)) {
    slot->since = since;
    return;
  }
  YoungSlot* set = &young_[(mix64(key) % kYoungSets) * kYoungWays];
  YoungSlot* victim = &set[0];
  for (size_t i = 0; i < kYoungWays && victim->key; ++i) {
    if (!set[i].key || set[i].since < victim->since) victim = &set[i];
  }
  *victim = {key, since};
}

void Simulation::mkold(const PageRef& ref) {
  const PageState s = state(ref);
  young_set(folio_id(*ref.proc, s.folio_first), now_);
}

bool Simulation::young(const PageRef& ref, bool clear) {
  const PageState s = state(ref);
  const SimProcess& p = *ref.proc;
  const uint64_t id = folio_id(p, s.folio_first);
  const YoungSlot* slot = young_find(id);
  const uint64_t since = slot ? slot->since : p.start_us;
  bool accessed = false;
  if (s.resident) {
    // A huge folio is young when any of its pages was touched: it draws
    // its accesses as one unit 512 times as busy as a page.
    const SimRegion& r = p.regions[ref.region];
    accessed = p.schedule.touched(ref.region, access_key(p, ref.region, s.folio_first, s.folio_pages),
                                  (s.folio_first - r.first) * kPage, s.folio_pages * kPage, since, now_);
  }
  if (clear) young_set(id, now_);
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
