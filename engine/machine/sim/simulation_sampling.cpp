// DAMON's sampling of many addresses at once: the simulator's hot path.
//
// A kdamond checks one address per region every sampling interval, so a
// batch holds about a thousand addresses of one space. The process is
// looked up once per batch, and since DAMON passes its regions' addresses
// in address order, consecutive addresses mostly fall in the extent of the
// one before: the extent map is searched only when they leave it.
#include <algorithm>
#include <array>
#include <utility>

#include "engine/machine/sim/simulation.h"

namespace damon::sim {

const AccessSchedule::Window& Simulation::window(SimProcess& p, uint32_t region, uint64_t since) {
  // The common case, every page of a batch after the first: both ends are
  // marks already, so progress() would change nothing and give them back.
  const SimRegion& r = p.regions[region];
  if (r.window_marked && r.window.from() == since && r.window.to() == now_) return r.window;
  return new_window(p, region, since);
}

const AccessSchedule::Window& Simulation::new_window(SimProcess& p, uint32_t region, uint64_t since) {
  // Two marks, used least recently first: `to` never takes `from`'s place.
  const AccessSchedule::Progress& from = progress(p, region, since);
  const AccessSchedule::Progress& to = progress(p, region, now_);
  SimRegion& r = p.regions[region];
  if (r.window.from() != from.t || r.window.to() != to.t) r.window = p.schedule.window(region, from, to);
  const auto marked = [&r](uint64_t t) {
    return t && std::any_of(r.marks.begin(), r.marks.end(),
                            [t](const AccessSchedule::Progress& m) { return m.t == t; });
  };
  r.window_marked = marked(since) && marked(now_);
  return r.window;
}

void Simulation::mkold(const SampledFolio& folio, SampleTable::Set& set) {
  SampleTable::record(set, sample_key(folio), now_);
}

bool Simulation::young(const SampledFolio& folio, SampleTable::Set& set, bool clear) {
  SimProcess& p = *folio.proc;
  const SampleTable::Slot* sampled = SampleTable::find(set, sample_key(folio));
  uint64_t since = p.cleared.since(folio.first, p.start_us);
  if (sampled) since = std::max(since, sampled->since);
  bool accessed = false;
  if (folio.resident) {
    // A huge folio is young when any of its pages was touched: it draws
    // its accesses as one unit 512 times as busy as a page.
    const SimRegion& r = p.regions[folio.region];
    accessed = p.schedule.touched(window(p, folio.region, since), access_key(p, folio.region, folio.first, folio.pages),
                                  (folio.first - r.first) * kPageSize, folio.pages * kPageSize);
  }
  if (clear) p.cleared.clear(folio.first, now_);
  return accessed;
}

Simulation::SampledFolio Simulation::sampled_folio(const Lookup& page) {
  return {page.ref.proc, page.ref.region, page.state.folio_first, page.state.folio_pages, page.state.resident};
}

void Simulation::mkold(const Lookup& page) {
  const SampledFolio folio = sampled_folio(page);
  mkold(folio, samples_.set_of(sample_key(folio)));
}

bool Simulation::young(const Lookup& page, bool clear) {
  const SampledFolio folio = sampled_folio(page);
  return young(folio, samples_.set_of(sample_key(folio)), clear);
}

template <class F>
void Simulation::for_each_folio(Space space, std::span<const uint64_t> addrs, F f) {
  SimProcess* p = space.physical() ? nullptr : live(space.pid);
  if (!space.physical() && !p) return;
  ExtentMap::iterator extent;  // the last address's
  bool in_extent = false;
  // The folio at addr, as state() would find it without building a
  // PageState: false when no page is mapped there.
  const auto find = [&](uint64_t addr, SampledFolio& folio) {
    if (!p) {
      const auto page = lookup(space, addr);
      if (page) folio = sampled_folio(*page);
      return page.has_value();
    }
    const uint64_t vpage = addr / kPageSize;
    if (!in_extent || vpage < extent->first || vpage - extent->first >= extent->second.pages) {
      const auto found = p->extents.find(vpage);
      in_extent = found.has_value();
      if (!in_extent) return false;
      extent = *found;
    }
    const Extent& e = extent->second;
    folio = {p, e.region, vpage, 1, true};
    if (e.lazy) {
      folio.resident = e.fs->rank_of(vpage) < e.fs->faulted();
    } else if (e.huge) {
      folio.first = vpage / kHugePages * kHugePages;
      folio.pages = kHugePages;
    }
    return true;
  };
  // Folios are found a few at a time and the sampling table sets they will
  // use prefetched before the first is checked: the table is larger than
  // the L1 cache, and misses overlapped this way cost little. Neither mkold
  // nor young changes extents, so what was found stays valid.
  struct Found {
    size_t i;
    SampledFolio folio;
    SampleTable::Set* set;
  };
  constexpr size_t kChunk = 16;
  std::array<Found, kChunk> chunk;
  for (size_t i = 0; i < addrs.size();) {
    size_t n = 0;
    for (; i < addrs.size() && n < kChunk; ++i) {
      Found& found = chunk[n];
      if (!find(addrs[i], found.folio)) continue;
      found.i = i;
      found.set = &samples_.set_of(sample_key(found.folio));
      __builtin_prefetch(found.set);
      ++n;
    }
    for (size_t k = 0; k < n; ++k) f(chunk[k].i, chunk[k].folio, *chunk[k].set);
  }
}

void Simulation::mkold(Space space, std::span<const uint64_t> addrs) {
  for_each_folio(space, addrs, [this](size_t, const SampledFolio& folio, SampleTable::Set& set) { mkold(folio, set); });
}

void Simulation::young(Space space, std::span<const uint64_t> addrs, std::vector<bool>& out) {
  out.assign(addrs.size(), false);
  for_each_folio(space, addrs,
                 [&](size_t i, const SampledFolio& folio, SampleTable::Set& set) { out[i] = young(folio, set, false); });
}

void Simulation::young_pages(Space space, std::span<const uint64_t> addrs, std::vector<bool>& out,
                             std::vector<SampledPage>& pages) {
  out.assign(addrs.size(), false);
  pages.resize(addrs.size());
  for (SampledPage& page : pages) {
    page.present = page.anon = false;
    page.memcg.clear();
  }
  for_each_folio(space, addrs, [&](size_t i, const SampledFolio& folio, SampleTable::Set& set) {
    out[i] = young(folio, set, false);
    SampledPage& page = pages[i];
    page.present = folio.resident;
    page.anon = folio.proc->regions[folio.region].anon;
    page.memcg = folio.proc->cgroup;
  });
}

}  // namespace damon::sim
