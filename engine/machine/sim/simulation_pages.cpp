// Where pages live and how actions move them: extents, the reverse map,
// migration, pageout, LRU lists, huge pages.
#include <algorithm>
#include <cassert>

#include "engine/machine/sim/simulation.h"

namespace damon::sim {
namespace {

bool mergeable(uint64_t a_first, const Extent& a, uint64_t b_first, const Extent& b) {
  if (a_first + a.pages != b_first || a.region != b.region || a.lazy != b.lazy || a.active != b.active ||
      a.huge != b.huge)
    return false;
  return a.lazy ? a.fs == b.fs : a.node == b.node && a.pfn + a.pages == b.pfn;
}

}  // namespace

// --- extents ---------------------------------------------------------------

std::map<uint64_t, Extent>::iterator Simulation::split(SimProcess& p, uint64_t vpage) {
  auto it = p.extents.upper_bound(vpage);
  if (it == p.extents.begin()) return it;
  --it;
  if (it->first == vpage) return it;
  const uint64_t off = vpage - it->first;
  if (off >= it->second.pages) return std::next(it);
  assert(!it->second.huge || off % kHugePages == 0);
  Extent right = it->second;
  right.pages -= off;
  if (!right.lazy) right.pfn += off;
  it->second.pages = off;
  return p.extents.emplace_hint(std::next(it), vpage, std::move(right));
}

std::map<uint64_t, Extent>::iterator Simulation::carve(SimProcess& p, uint64_t first, uint64_t pages) {
  split(p, first + pages);
  return split(p, first);
}

void Simulation::merge_around(SimProcess& p, std::map<uint64_t, Extent>::iterator it) {
  if (it != p.extents.begin()) {
    auto prev = std::prev(it);
    if (mergeable(prev->first, prev->second, it->first, it->second)) {
      prev->second.pages += it->second.pages;
      p.extents.erase(it);
      it = prev;
    }
  }
  auto next = std::next(it);
  if (next != p.extents.end() && mergeable(it->first, it->second, next->first, next->second)) {
    it->second.pages += next->second.pages;
    p.extents.erase(next);
  }
}

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
  auto it = p.extents.emplace(vpage, std::move(e)).first;
  rmap_add(pfn, Owner{pages, p.index, false, vpage, nullptr});
  merge_around(p, it);
}

// --- reverse map -------------------------------------------------------------

std::map<uint64_t, Simulation::Owner>::iterator Simulation::rmap_split(uint64_t pfn) {
  auto it = rmap_.upper_bound(pfn);
  if (it == rmap_.begin()) return it;
  --it;
  if (it->first == pfn) return it;
  const uint64_t off = pfn - it->first;
  if (off >= it->second.count) return std::next(it);
  Owner right = it->second;
  right.count -= off;
  right.first += off;
  it->second.count = off;
  return rmap_.emplace_hint(std::next(it), pfn, std::move(right));
}

void Simulation::rmap_add(uint64_t pfn, Owner owner) {
  auto joins = [](uint64_t a_pfn, const Owner& a, uint64_t b_pfn, const Owner& b) {
    return a_pfn + a.count == b_pfn && a.proc == b.proc && a.lazy == b.lazy && a.fs == b.fs &&
           a.first + a.count == b.first;
  };
  auto it = rmap_.emplace(pfn, std::move(owner)).first;
  if (it != rmap_.begin()) {
    auto prev = std::prev(it);
    if (joins(prev->first, prev->second, it->first, it->second)) {
      prev->second.count += it->second.count;
      rmap_.erase(it);
      it = prev;
    }
  }
  auto next = std::next(it);
  if (next != rmap_.end() && joins(it->first, it->second, next->first, next->second)) {
    it->second.count += next->second.count;
    rmap_.erase(next);
  }
}

void Simulation::rmap_erase(uint64_t pfn, uint64_t count) {
  rmap_split(pfn + count);
  auto first = rmap_split(pfn);
  auto last = rmap_.lower_bound(pfn + count);
  rmap_.erase(first, last);
}

// --- resolving addresses -----------------------------------------------------

std::optional<std::map<uint64_t, Extent>::iterator> Simulation::extent_of(SimProcess& p, uint64_t vpage) {
  // Extents cover every page of every region and nothing else.
  auto it = p.extents.upper_bound(vpage);
  if (it == p.extents.begin()) return std::nullopt;
  --it;
  if (vpage >= it->first + it->second.pages) return std::nullopt;
  return it;
}

std::optional<Simulation::Lookup> Simulation::lookup(Space space, uint64_t addr) {
  PageRef ref;
  if (space.physical()) {
    const uint64_t pfn = addr / kPageSize;
    auto it = rmap_.upper_bound(pfn);
    if (it == rmap_.begin()) return std::nullopt;
    --it;
    const Owner& o = it->second;
    if (pfn >= it->first + o.count) return std::nullopt;
    ref.proc = &procs_[o.proc];
    ref.vpage = o.lazy ? o.fs->vpage_of(o.first + (pfn - it->first)) : o.first + (pfn - it->first);
  } else {
    ref.proc = live(space.pid);
    if (!ref.proc) return std::nullopt;
    ref.vpage = addr / kPageSize;
  }
  const auto extent = extent_of(*ref.proc, ref.vpage);
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
std::map<uint64_t, Extent>::iterator Simulation::make_resident_extent(SimProcess& p, uint64_t vpage) {
  auto it = std::prev(p.extents.upper_bound(vpage));
  if (!it->second.lazy) return it;
  const std::shared_ptr<FaultSet> fs = it->second.fs;
  const FaultSet::Frame frame = fs->frame_of(fs->rank_of(vpage));
  it = carve(p, vpage, 1);
  rmap_erase(frame.pfn, 1);
  rmap_add(frame.pfn, Owner{1, p.index, false, vpage, nullptr});
  Extent& e = it->second;
  e.lazy = false;
  e.fs.reset();
  e.node = static_cast<size_t>(frame.node);
  e.pfn = frame.pfn;
  merge_around(p, it);
  return std::prev(p.extents.upper_bound(vpage));
}

void Simulation::release_frames(SimProcess& p, std::map<uint64_t, Extent>::iterator it) {
  const Extent& e = it->second;
  account(p, e, -1);
  frames_.give_back(e.pfn, e.pages);
  rmap_erase(e.pfn, e.pages);
}

// Turns an extent whose frames were released into paged-out pages, joining
// the set paged out just before or after it when none of that has come
// back yet (so a region paged out folio by folio is one set).
void Simulation::to_lazy(SimProcess& p, std::map<uint64_t, Extent>::iterator it) {
  Extent& e = it->second;
  const uint64_t first = it->first;
  auto joinable = [&](std::map<uint64_t, Extent>::iterator o) {
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
  merge_around(p, it);
}

bool Simulation::pageout(const PageRef& ref) {
  const PageState s = state(ref);
  if (!s.resident) return false;
  SimProcess& p = *ref.proc;
  make_resident_extent(p, ref.vpage);
  auto it = carve(p, s.folio_first, s.folio_pages);
  release_frames(p, it);
  to_lazy(p, it);
  return true;
}

bool Simulation::migrate(const PageRef& ref, size_t node) {
  const PageState s = state(ref);
  if (!s.resident || s.node == node) return false;
  auto runs = allocate(node, s.folio_pages, s.folio_pages);
  if (runs.size() != 1 || runs[0].count != s.folio_pages) {
    for (const FrameRun& r : runs) frames_.give_back(r.pfn, r.count);
    return false;
  }
  SimProcess& p = *ref.proc;
  add_copy(s.node, node, s.folio_pages * kPageSize);
  make_resident_extent(p, ref.vpage);
  auto it = carve(p, s.folio_first, s.folio_pages);
  release_frames(p, it);
  Extent& e = it->second;
  e.node = node;
  e.pfn = runs[0].pfn;
  account(p, e, +1);
  rmap_add(e.pfn, Owner{e.pages, p.index, false, s.folio_first, nullptr});
  merge_around(p, it);
  return true;
}

bool Simulation::set_lru(const PageRef& ref, bool active) {
  const PageState s = state(ref);
  if (!s.resident) return false;
  SimProcess& p = *ref.proc;
  make_resident_extent(p, ref.vpage);
  auto it = carve(p, s.folio_first, s.folio_pages);
  if (it->second.active != active) {
    account(p, it->second, -1);
    it->second.active = active;
    account(p, it->second, +1);
  }
  merge_around(p, it);
  return true;
}

// MADV_COLLAPSE of one aligned 2 MiB chunk: copies its pages into a new
// huge folio on the node of its first page. Fails when a page is out or no
// aligned free block is left there.
bool Simulation::collapse(SimProcess& p, uint64_t first) {
  auto it = std::prev(p.extents.upper_bound(first));
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
  auto runs = allocate(*node, kHugePages, kHugePages);
  if (runs.empty()) return false;
  for (uint64_t v = first; v < first + kHugePages;) {
    auto e = make_resident_extent(p, v);
    v = e->first + e->second.pages;
  }
  for (auto e = carve(p, first, kHugePages); e != p.extents.end() && e->first < first + kHugePages;) {
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
    const auto ext = std::prev(p.extents.upper_bound(v));
    const uint64_t ext_end = ext->first + ext->second.pages;
    if (ext->second.lazy || !ext->second.huge) {
      v = std::min(b, ext_end);
      continue;
    }
    const uint64_t first = v / kHugePages * kHugePages;
    const uint64_t end = (std::min(b, ext_end) + kHugePages - 1) / kHugePages * kHugePages;
    auto it = carve(p, first, end - first);
    account(p, it->second, -1);
    it->second.huge = false;
    account(p, it->second, +1);
    merge_around(p, it);
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
          const auto ext = std::prev(p.extents.upper_bound(v));
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
          auto it = carve(p, first, end - first);
          if (action == Action::pageout) {
            release_frames(p, it);
            to_lazy(p, it);
          } else if (it->second.active) {
            account(p, it->second, -1);
            it->second.active = false;
            account(p, it->second, +1);
            merge_around(p, it);
          }
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
