// Where pages live and how actions move them: extents and their frames,
// migration, pageout, LRU lists, huge pages.
#include <algorithm>
#include <cassert>
#include <utility>
#include <vector>

#include "engine/machine/sim/simulation.h"

namespace damon::sim {
// --- extents ---------------------------------------------------------------

void Simulation::account(SimProcess& p, const Extent& e, int sign) {
  assert(!e.lazy);
  SimRegion& r = p.regions[e.region];
  const uint64_t n = e.pages;
  auto add = [sign, n](uint64_t& v) { v = sign > 0 ? v + n : v - n; };
  add(r.resident[e.node]);
  if (e.active) add(r.active_pages);
  if (e.huge) add(r.huge_pages);
}

void Simulation::insert_resident(SimProcess& p, uint64_t vpage, uint64_t pages, uint32_t region, size_t node,
                                 uint64_t pfn, bool active, bool huge) {
  Extent e;
  e.pages = pages;
  e.region = region;
  e.active = active;
  e.huge = huge;
  e.node = node;
  e.pfn = pfn;
  account(p, e, +1);
  auto it = p.extents.insert(vpage, std::move(e));
  mem_.rmap_add(pfn, FrameOwner{pages, p.index, false, vpage, nullptr});
  p.extents.merge_around(it);
}

template <class F>
void Simulation::for_each_part(SimProcess& p, uint64_t first, uint64_t pages, F f) {
  auto it = p.extents.carve(first, pages);
  if (it->second.pages == pages) {  // the common case: one extent
    f(it);
    return;
  }
  std::vector<std::pair<uint64_t, uint64_t>> parts;
  for (; it != p.extents.end() && it->first < first + pages; ++it) parts.emplace_back(it->first, it->second.pages);
  // Carved again each: f may have merged the one before with its neighbours.
  for (const auto& [v, n] : parts) f(p.extents.carve(v, n));
}

// --- resolving addresses -----------------------------------------------------

std::optional<Simulation::Lookup> Simulation::lookup(Space space, uint64_t addr) {
  PageRef ref;
  if (space.physical()) {
    const auto page = mem_.page_of(addr / kPageSize);
    if (!page) return std::nullopt;
    ref.proc = &procs_[page->proc];
    ref.vpage = page->vpage;
  } else {
    ref.proc = live(space.pid);
    if (!ref.proc) return std::nullopt;
    ref.vpage = addr / kPageSize;
  }
  const auto extent = ref.proc->extents.find(ref.vpage);
  if (!extent) return std::nullopt;
  ref.region = (*extent)->second.region;
  return Lookup{ref, state(ref, *extent)};
}

std::optional<PageRef> Simulation::resolve(Space space, uint64_t addr) {
  const auto page = lookup(space, addr);
  if (!page) return std::nullopt;
  return page->ref;
}

// --- actions -----------------------------------------------------------------

// The resident page at vpage as (part of) an ordinary extent: a page that
// faulted back into a FaultSet leaves it, keeping its frame.
ExtentMap::iterator Simulation::make_resident_extent(SimProcess& p, uint64_t vpage) {
  auto it = p.extents.at(vpage);
  if (!it->second.lazy) return it;
  const std::shared_ptr<FaultSet> fs = it->second.fs;
  const FaultSet::Frame frame = fs->frame_of(fs->rank_of(vpage));
  it = p.extents.carve(vpage, 1);
  mem_.rmap_erase(frame.pfn, 1);
  mem_.rmap_add(frame.pfn, FrameOwner{1, p.index, false, vpage, nullptr});
  Extent& e = it->second;
  e.lazy = false;
  e.fs.reset();
  e.node = static_cast<size_t>(frame.node);
  e.pfn = frame.pfn;
  p.extents.merge_around(it);
  return p.extents.at(vpage);
}

void Simulation::release_frames(SimProcess& p, ExtentMap::iterator it) {
  const Extent& e = it->second;
  account(p, e, -1);
  mem_.give_back(e.pfn, e.pages);
  mem_.rmap_erase(e.pfn, e.pages);
}

// Turns an extent whose frames were released into paged-out pages, joining
// the set paged out just before or after it when none of that has come
// back yet (so a region paged out folio by folio is one set).
void Simulation::to_lazy(SimProcess& p, ExtentMap::iterator it) {
  Extent& e = it->second;
  const uint64_t first = it->first;
  auto joinable = [&](ExtentMap::iterator o) {
    const Extent& x = o->second;
    return x.lazy && x.region == e.region && x.fs->faulted() == 0 && x.fs->first() == o->first &&
           x.fs->count() == x.pages;
  };
  std::shared_ptr<FaultSet> fs;
  if (it != p.extents.begin()) {
    auto prev = std::prev(it);
    if (prev->first + prev->second.pages == first && joinable(prev)) {
      fs = prev->second.fs;
      fs->grow(fs->first(), fs->count() + e.pages);
    }
  }
  auto next = std::next(it);
  if (!fs && next != p.extents.end() && first + e.pages == next->first && joinable(next)) {
    fs = next->second.fs;
    fs->grow(first, fs->count() + e.pages);
  }
  if (!fs) {
    fs = std::make_shared<FaultSet>(p.index, e.region, first, e.pages, progress(p, e.region, now_),
                                    static_cast<int>(p.regions[e.region].node), seed_);
    faulting_.push_back(fs);
  }
  e.lazy = true;
  e.active = false;
  e.huge = false;
  e.fs = std::move(fs);
  p.extents.merge_around(it);
}

bool Simulation::pageout(const PageRef& ref) {
  const PageState s = state(ref);
  if (!s.resident) return false;
  SimProcess& p = *ref.proc;
  make_resident_extent(p, ref.vpage);
  for_each_part(p, s.folio_first, s.folio_pages, [&](ExtentMap::iterator it) {
    release_frames(p, it);
    to_lazy(p, it);
  });
  return true;
}

bool Simulation::migrate(const PageRef& ref, size_t node) {
  const PageState s = state(ref);
  if (!s.resident || s.node == node) return false;
  auto runs = mem_.allocate(node, s.folio_pages, s.folio_pages);
  if (runs.size() != 1 || runs[0].count != s.folio_pages) {
    for (const FrameRun& r : runs) mem_.give_back(r.pfn, r.count);
    return false;
  }
  SimProcess& p = *ref.proc;
  add_copy(s.node, node, s.folio_pages * kPageSize);
  make_resident_extent(p, ref.vpage);
  for_each_part(p, s.folio_first, s.folio_pages, [&](ExtentMap::iterator it) {
    release_frames(p, it);
    Extent& e = it->second;
    e.node = node;
    e.pfn = runs[0].pfn + (it->first - s.folio_first);
    account(p, e, +1);
    mem_.rmap_add(e.pfn, FrameOwner{e.pages, p.index, false, it->first, nullptr});
    p.extents.merge_around(it);
  });
  return true;
}

bool Simulation::set_lru(const PageRef& ref, bool active) {
  const PageState s = state(ref);
  if (!s.resident) return false;
  SimProcess& p = *ref.proc;
  make_resident_extent(p, ref.vpage);
  for_each_part(p, s.folio_first, s.folio_pages, [&](ExtentMap::iterator it) {
    if (it->second.active != active) {
      account(p, it->second, -1);
      it->second.active = active;
      account(p, it->second, +1);
    }
    p.extents.merge_around(it);
  });
  return true;
}

// MADV_COLLAPSE of one aligned 2 MiB chunk: copies its pages into a new
// huge folio on the node of its first page. Fails when a page is out or no
// aligned free block is left there.
bool Simulation::collapse(SimProcess& p, uint64_t first) {
  auto it = p.extents.at(first);
  if (it->second.huge) return true;
  const uint32_t region = it->second.region;
  std::optional<size_t> node;
  bool active = false;
  for (uint64_t v = first; v < first + kHugePages; ++v) {
    const PageState s = state(PageRef{&p, v, region});
    if (!s.resident) return false;
    if (!node) node = s.node;
    active = active || s.extent->second.active;
  }
  auto runs = mem_.allocate(*node, kHugePages, kHugePages);
  if (runs.empty()) return false;
  for (uint64_t v = first; v < first + kHugePages;) {
    auto e = make_resident_extent(p, v);
    v = e->first + e->second.pages;
  }
  for (auto e = p.extents.carve(first, kHugePages); e != p.extents.end() && e->first < first + kHugePages;) {
    release_frames(p, e);
    e = p.extents.erase(e);
  }
  insert_resident(p, first, kHugePages, region, *node, runs[0].pfn, active, true);
  return true;
}

// DAMOS split of the huge folios overlapping virtual pages [a, b): each
// becomes base pages in the same frames. (Folios here are base or 2 MiB, so
// every target order below the PMD order ends in base pages.)
void Simulation::split_huge(SimProcess& p, uint64_t a, uint64_t b) {
  for (uint64_t v = a; v < b;) {
    const auto ext = p.extents.at(v);
    const uint64_t ext_end = ext->first + ext->second.pages;
    if (ext->second.lazy || !ext->second.huge) {
      v = std::min(b, ext_end);
      continue;
    }
    const uint64_t first = v / kHugePages * kHugePages;
    const uint64_t end = (std::min(b, ext_end) + kHugePages - 1) / kHugePages * kHugePages;
    for_each_part(p, first, end - first, [&](ExtentMap::iterator it) {
      account(p, it->second, -1);
      it->second.huge = false;
      account(p, it->second, +1);
      p.extents.merge_around(it);
    });
    v = end;
  }
}

uint64_t Simulation::madvise(SimProcess& p, AddrRange range, Action action) {
  const uint64_t v0 = range.start / kPageSize, v1 = (range.end + kPageSize - 1) / kPageSize;
  if (v1 <= v0) return 0;
  uint64_t mapped = 0;
  for (const SimRegion& r : p.regions) {
    const uint64_t a = std::max(v0, r.first), b = std::min(v1, r.end());
    if (a < b) mapped += b - a;
  }
  bool ok = true;
  for (uint32_t ri = 0; ri < p.regions.size(); ++ri) {
    const SimRegion& r = p.regions[ri];
    const uint64_t a = std::max(v0, r.first), b = std::min(v1, r.end());
    if (a >= b) continue;
    switch (action) {
      case Action::cold:
      case Action::pageout:
        for (uint64_t v = a; v < b;) {
          const auto ext = p.extents.at(v);
          const Extent& e = ext->second;
          const uint64_t ext_end = ext->first + e.pages;
          if (e.lazy) {
            // Paged out already; only pages that came back need anything
            // (and they are inactive).
            if (action == Action::pageout && e.fs->faulted()) {
              const uint64_t stop = std::min(b, ext_end);
              for (; v < stop; ++v) {
                if (state(PageRef{&p, v, ri}).resident) pageout(PageRef{&p, v, ri});
              }
            }
            v = std::min(b, ext_end);
            continue;
          }
          // Whole folios: a huge folio partly in the range goes entirely.
          const uint64_t align = e.huge ? kHugePages : 1;
          const uint64_t first = v / align * align;
          const uint64_t end = (std::min(b, ext_end) + align - 1) / align * align;
          for_each_part(p, first, end - first, [&](ExtentMap::iterator it) {
            if (action == Action::pageout) {
              release_frames(p, it);
              to_lazy(p, it);
            } else if (it->second.active) {
              account(p, it->second, -1);
              it->second.active = false;
              account(p, it->second, +1);
              p.extents.merge_around(it);
            }
          });
          v = end;
        }
        break;
      case Action::hugepage:
      case Action::collapse:
        for (uint64_t c = (a + kHugePages - 1) / kHugePages * kHugePages; c + kHugePages <= b; c += kHugePages) {
          ok = collapse(p, c) && ok;
        }
        break;
      case Action::split:
        split_huge(p, a, b);
        break;
      case Action::willneed:
      case Action::nohugepage:
        // WILLNEED only starts swap-in readahead (pages come back mapped
        // when touched) and NOHUGEPAGE keeps existing huge folios: neither
        // changes what this model tracks.
        break;
      default:
        return 0;
    }
  }
  // Like the kernel's damos_madvise(): all or nothing, and a range with
  // unmapped parts fails (-ENOMEM) after advising the mapped ones.
  if (mapped != v1 - v0) return 0;
  if (action == Action::collapse && !ok) return 0;
  return (v1 - v0) * kPageSize;
}

}  // namespace damon::sim
