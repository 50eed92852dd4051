// DAMON's sampling of many addresses at once: the simulator's hot path.
//
// A kdamond checks one address per region every sampling interval, so a
// batch holds about a thousand addresses of one space. The process is
// looked up once per batch, and since DAMON passes its regions' addresses
// in address order, consecutive addresses mostly fall in the extent of the
// one before: the extent map is searched only when they leave it.
#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "engine/machine/sim/simulation.h"

namespace damon::sim {
namespace {

// The extent holding a virtual page of one process, found from the page
// before's when it is in the same one: DAMON's addresses come in address
// order, so the map is searched only when they leave an extent. The shape
// of the extent's folios is worked out once per extent too.
class ExtentCursor {
 public:
  explicit ExtentCursor(ExtentMap& extents) : extents_(extents) {}

  // Null when no page is mapped there.
  const Extent* at(uint64_t vpage) {
    if (vpage - first_ < pages_) return extent_;  // below first_ wraps around
    const auto found = extents_.find(vpage);
    pages_ = found ? (*found)->second.pages : 0;
    if (!found) return nullptr;
    first_ = (*found)->first;
    extent_ = &(*found)->second;
    // Paged-out pages come back small.
    const bool huge = !extent_->lazy && extent_->huge;
    folio_mask_ = huge ? ~(kHugePages - 1) : ~uint64_t{0};
    folio_pages_ = huge ? kHugePages : 1;
    return extent_;
  }
  // Of the extent at() last returned: the first page of the folio holding
  // `vpage`, and the pages of a folio.
  uint64_t folio_first(uint64_t vpage) const { return vpage & folio_mask_; }
  uint64_t folio_pages() const { return folio_pages_; }

 private:
  ExtentMap& extents_;
  uint64_t first_ = 0, pages_ = 0;  // pages_ 0: none yet
  const Extent* extent_ = nullptr;
  uint64_t folio_mask_ = 0, folio_pages_ = 1;
};

// Sampling works through its addresses in chunks: the table sets of a
// chunk's folios are prefetched before the first is used (the table is
// larger than the L1 cache, and misses overlapped this way cost little).
constexpr size_t kChunk = 16;

}  // namespace

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

bool Simulation::folio_touched(SimProcess& p, uint32_t region, uint64_t first, uint64_t pages, uint64_t since) {
  // A huge folio is young when any of its pages was touched: it draws
  // its accesses as one unit 512 times as busy as a page.
  const SimRegion& r = p.regions[region];
  if (first >= r.first && first + pages <= r.end())
    return touched(p, region, window(p, region, since), first, pages);
  // Its accessed bit is one, whichever region's byte was touched.
  for (uint32_t o = 0; o < p.regions.size(); ++o) {
    const SimRegion& other = p.regions[o];
    const uint64_t a = std::max(first, other.first), b = std::min(first + pages, other.end());
    if (a < b && touched(p, o, window(p, o, since), a, b - a))
      return true;
  }
  return false;
}

bool Simulation::young(const SampledFolio& folio, SampleTable::Set& set, bool clear) {
  SimProcess& p = *folio.proc;
  const SampleTable::Slot* sampled = SampleTable::find(set, sample_key(folio));
  uint64_t since = p.cleared.since(folio.first, p.start_us);
  if (sampled) since = std::max(since, sampled->since());
  const bool accessed = folio.resident && folio_touched(p, folio.region, folio.first, folio.pages, since);
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
  std::optional<ExtentCursor> cursor;
  if (p) cursor.emplace(p->extents);
  // The folio at addr, as state() would find it without building a
  // PageState: false when no page is mapped there.
  const auto find = [&](uint64_t addr, SampledFolio& folio) {
    if (!p) {
      const auto page = lookup(space, addr);
      if (page) folio = sampled_folio(*page);
      return page.has_value();
    }
    const uint64_t vpage = addr / kPageSize;
    const Extent* e = cursor->at(vpage);
    if (!e) return false;
    folio = {p, e->region, cursor->folio_first(vpage), cursor->folio_pages(),
             !e->lazy || e->fs->rank_of(vpage) < e->fs->faulted()};
    return true;
  };
  // Neither mkold nor young changes extents, so what was found stays valid.
  struct Found {
    size_t i;
    SampledFolio folio;
    SampleTable::Set* set;
  };
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
  if (space.physical()) {
    for_each_folio(space, addrs,
                   [this](size_t, const SampledFolio& folio, SampleTable::Set& set) { mkold(folio, set); });
    return;
  }
  // A process's pages, DAMON's every sampling interval: only what mkold()
  // needs of each folio, its key, is worked out, and the table sets of a
  // chunk are prefetched before the first is written.
  SimProcess* p = live(space.pid);
  if (!p) return;
  ExtentCursor cursor(p->extents);
  const uint64_t proc_key = SampleTable::key(p->index, 0);
  // Every index is written below (null where no page is mapped): clearing
  // the whole vector first was a memset per sample.
  p->sampled_slots.resize(addrs.size());
  std::array<size_t, kChunk> index;
  std::array<uint64_t, kChunk> keys;
  std::array<SampleTable::Set*, kChunk> sets;
  for (size_t i = 0; i < addrs.size();) {
    size_t n = 0;
    for (; i < addrs.size() && n < kChunk; ++i) {
      const uint64_t vpage = addrs[i] / kPageSize;
      const Extent* e = cursor.at(vpage);
      if (!e) {
        p->sampled_slots[i] = nullptr;
        continue;
      }
      index[n] = i;
      keys[n] = proc_key | cursor.folio_first(vpage);
      sets[n] = &samples_.set_of(keys[n]);
      __builtin_prefetch(sets[n]);
      ++n;
    }
    for (size_t k = 0; k < n; ++k) p->sampled_slots[index[k]] = SampleTable::record(*sets[k], keys[k], now_);
  }
}

void Simulation::young(Space space, std::span<const uint64_t> addrs, std::vector<bool>& out) {
  out.assign(addrs.size(), false);
  if (space.physical()) {
    for_each_folio(space, addrs, [&](size_t i, const SampledFolio& folio, SampleTable::Set& set) {
      out[i] = young(folio, set, false);
    });
    return;
  }
  // As young(folio, set, false) for each page of a process, found as
  // mkold() finds them. DAMON checks the addresses it made old one sample
  // before: where the slot mkold() recorded an address in still holds the
  // folio's key, that is its entry, and the table is not searched. A
  // batch's pages mostly share their window (the same region, made old at
  // the same time), which is looked up only when that changes.
  SimProcess* p = live(space.pid);
  if (!p) return;
  ExtentCursor cursor(p->extents);
  const uint64_t proc_key = SampleTable::key(p->index, 0);
  const AccessSchedule::Window* w = nullptr;
  uint32_t w_region = 0;
  uint64_t w_since = 0;
  for (size_t i = 0; i < addrs.size(); ++i) {
    const uint64_t vpage = addrs[i] / kPageSize;
    const Extent* e = cursor.at(vpage);
    if (!e) continue;
    const uint64_t first = cursor.folio_first(vpage), pages = cursor.folio_pages();
    const uint64_t key = proc_key | first;
    const SampleTable::Slot* slot = i < p->sampled_slots.size() ? p->sampled_slots[i] : nullptr;
    const SampleTable::Slot* sampled = slot && slot->key == key ? slot : SampleTable::find(samples_.set_of(key), key);
    uint64_t since = p->cleared.since(first, p->start_us);
    if (sampled) since = std::max(since, sampled->since());
    if (e->lazy && e->fs->rank_of(vpage) >= e->fs->faulted()) continue;  // paged out
    const SimRegion& r = p->regions[e->region];
    if (first < r.first || first + pages > r.end()) {  // a huge folio shared with a neighbouring region
      out[i] = folio_touched(*p, e->region, first, pages, since);
      w = nullptr;  // it may have moved this region's window
      continue;
    }
    if (!w || e->region != w_region || since != w_since) {
      w = &window(*p, e->region, since);
      w_region = e->region;
      w_since = since;
    }
    if (touched(*p, e->region, *w, first, pages)) out[i] = true;
  }
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
