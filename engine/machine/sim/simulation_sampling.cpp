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
  explicit ExtentCursor(const ExtentMap& extents) : extents_(extents) {}

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
  const ExtentMap& extents_;
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
  flush_sampled();
  const SampledFolio folio = sampled_folio(page);
  mkold(folio, samples_.set_of(sample_key(folio)));
}

bool Simulation::young(const Lookup& page, bool clear) {
  flush_sampled();
  const SampledFolio folio = sampled_folio(page);
  return young(folio, samples_.set_of(sample_key(folio)), clear);
}

uint64_t Simulation::table_since(uint64_t key) const {
  const SampleTable::Slot* slot = SampleTable::find(samples_.set_of(key), key);
  return slot ? slot->since() : 0;
}

void Simulation::flush_sampled(SimProcess& p) {
  p.sampled.flush([this](uint64_t key, uint64_t at) { SampleTable::record(samples_.set_of(key), key, at); });
}

void Simulation::flush_sampled() {
  for (SimProcess& p : procs_) flush_sampled(p);
}

template <class F>
void Simulation::for_each_folio(Space space, std::span<const uint64_t> addrs, F f) {
  SimProcess* p = space.physical() ? nullptr : live(space.pid);
  if (!space.physical() && !p) return;
  flush_sampled();
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
  // needs of each folio, its size, is worked out, and kept by index in the
  // process's SampledBatch. The batch before goes into the table unless it
  // was checked. (Sharing this with the sampling helper gained nothing: it
  // is a few nanoseconds a page.)
  SimProcess* p = live(space.pid);
  if (!p) return;
  if (!p->sampled.checked()) flush_sampled(*p);
  ExtentCursor cursor(p->extents);
  p->sampled.start(addrs, SampleTable::key(p->index, 0), now_);
  for (size_t i = 0; i < addrs.size(); ++i)
    p->sampled.set(i, cursor.at(addrs[i] / kPageSize) ? cursor.folio_pages() : 0);
}

template <class F>
void Simulation::in_chunks(size_t n, F f) {
  const size_t chunks = (n + kChunkPages - 1) / kChunkPages;
  const auto chunk = [&](size_t c) { f(c * kChunkPages, std::min(kChunkPages, n - c * kChunkPages)); };
  if (chunks == 1) {
    chunk(0);
  } else if (chunks > 1) {
    sampling_.run(chunks, chunk);
  }
}

void Simulation::young(Space space, std::span<const uint64_t> addrs, YoungBits& out) {
  SimProcess* p = space.physical() ? nullptr : live(space.pid);
  // Set once: a live process's batch starts every answer undecided.
  out.assign(addrs.size(), p ? kUndecided : 0);
  if (space.physical()) {
    for_each_folio(space, addrs, [&](size_t i, const SampledFolio& folio, SampleTable::Set& set) {
      out[i] = young(folio, set, false);
    });
    return;
  }
  if (!p) return;
  // Two passes. When these are the addresses of the process's
  // SampledBatch (DAMON checks the addresses it made old one sample
  // before), the first decides every page still in the folio the batch
  // saw and not cleared since, changing nothing, so its chunks may run on
  // two threads. The second takes the rest in address order: another
  // kdamond's addresses or a folio reshaped since put the batch in the
  // table and search there; a page cleared since, or a huge folio over a
  // region's edge, has a window of its own.
  if (!addrs.empty() && p->sampled.same_addresses(addrs)) {
    const BatchWindows windows = batch_windows(*p, addrs);
    in_chunks(addrs.size(), [&](size_t from, size_t n) {
      decide_held(*p, addrs.subspan(from, n), std::span(out).subspan(from, n), from, windows);
    });
  }
  ExtentCursor cursor(p->extents);
  const uint64_t proc_key = SampleTable::key(p->index, 0);
  const AccessSchedule::Window* w = nullptr;
  uint32_t w_region = 0;
  uint64_t w_since = 0;
  // The undecided are few (none, mostly): found with a vectorised search.
  for (auto it = std::find(out.begin(), out.end(), kUndecided); it != out.end();
       it = std::find(it + 1, out.end(), kUndecided)) {
    const size_t i = static_cast<size_t>(it - out.begin());
    *it = 0;
    const uint64_t vpage = addrs[i] / kPageSize;
    const Extent* e = cursor.at(vpage);
    if (!e) continue;
    const uint64_t first = cursor.folio_first(vpage), pages = cursor.folio_pages();
    const uint64_t key = proc_key | first;
    uint64_t since = p->cleared.since(first, p->start_us);
    const bool held = p->sampled.holds(i, key);
    if (held) since = std::max(since, p->sampled.at());
    if (!held) flush_sampled(*p);
    if (!held || p->sampled.in_table()) since = std::max(since, table_since(key));
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
  p->sampled.mark_checked();
}

Simulation::BatchWindows Simulation::batch_windows(SimProcess& p, std::span<const uint64_t> addrs) {
  // The regions from the first address's to the last's: DAMON's addresses
  // come in address order, and a page of any other region is left to the
  // second pass.
  const auto region_at = [&p](uint64_t vpage) {
    const auto after = std::upper_bound(p.regions.begin(), p.regions.end(), vpage,
                                        [](uint64_t v, const SimRegion& r) { return v < r.first; });
    return static_cast<uint32_t>(after == p.regions.begin() ? 0 : after - p.regions.begin() - 1);
  };
  BatchWindows bw;
  bw.first = region_at(addrs.front() / kPageSize);
  const uint32_t last = std::max(bw.first, region_at(addrs.back() / kPageSize));
  for (uint32_t r = bw.first; r <= last; ++r) bw.windows.push_back(&window(p, r, p.sampled.at()));
  return bw;
}

void Simulation::decide_held(const SimProcess& p, std::span<const uint64_t> addrs, std::span<uint8_t> out,
                             size_t from, const BatchWindows& windows) {
  // Reads the process only, and writes its own chunk's answers: chunks may
  // run at once. What the pages of one extent share (their region, its
  // window, the draws scaled to the extent's folio size, the region's part
  // of the access key) is worked out when the addresses enter the extent:
  // they come in address order, many to an extent. Kept in locals, as the
  // byte stores of the answers may alias anything in memory.
  ExtentCursor cursor(p.extents);
  const uint64_t proc_key = SampleTable::key(p.index, 0), at = p.sampled.at();
  const Extent* shared_by = nullptr;  // the extent the values below are for
  bool decidable = false;             // its region's window is one of `windows`
  bool together = false;
  uint64_t region_first = 0, region_end = 0;
  AccessKey access{};
  AccessSchedule::Draws draws;
  for (size_t k = 0; k < addrs.size(); ++k) {
    const uint64_t vpage = addrs[k] / kPageSize;
    const Extent* e = cursor.at(vpage);
    if (!e) {
      out[k] = 0;
      continue;
    }
    const uint64_t first = cursor.folio_first(vpage), pages = cursor.folio_pages();
    if (!p.sampled.same_folio(from + k, vpage, first) || p.cleared.since(first, p.start_us) > at) continue;
    if (p.sampled.in_table() && table_since(proc_key | first) > at) continue;
    if (e->lazy && e->fs->rank_of(vpage) >= e->fs->faulted()) {  // paged out
      out[k] = 0;
      continue;
    }
    if (e != shared_by) {
      shared_by = e;
      const SimRegion& r = p.regions[e->region];
      decidable = e->region >= windows.first && e->region - windows.first < windows.windows.size();
      if (decidable) draws = AccessSchedule::draws(*windows.windows[e->region - windows.first], pages * kPageSize);
      together = r.together;
      region_first = r.first;
      region_end = r.end();
      access = access_key(p, e->region, pages);
    }
    if (!decidable || first < region_first || first + pages > region_end) continue;
    out[k] = together ? p.schedule.together_touched(*draws.w, p.key)
                      : p.schedule.touched(draws, access(first - region_first), (first - region_first) * kPageSize);
  }
}

void Simulation::young_pages(Space space, std::span<const uint64_t> addrs, YoungBits& out,
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
