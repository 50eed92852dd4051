// Where each virtual page of a simulated process is: runs of identical
// pages (extents), never single pages.
//
// An Extent is resident on one node in consecutive frames, or paged out as
// part of a FaultSet. Actions split extents where their range starts and
// ends and merge them back with equal neighbours, so the map grows only
// with how fragmented the actions have made memory, not with its size.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "engine/machine/sim/fault_set.h"

namespace damon::sim {

inline constexpr uint64_t kHugePages = 512;  // pages in a 2 MiB folio

// A run of pages of one region with the same state.
struct Extent {
  uint64_t pages = 0;
  uint32_t region = 0;
  // Paged out: a page is back (resident) once its rank in `fs` is below
  // fs->faulted(), in the frame the set gave it. Always inactive, small.
  bool lazy = false;
  bool active = false;
  // 2 MiB folios, aligned in virtual and physical memory (a folio over the
  // edge between two regions of one mapping has an extent in each).
  bool huge = false;
  size_t node = 0;    // not lazy: node index of the frames
  uint64_t pfn = 0;   // not lazy: frame of the first page
  std::shared_ptr<FaultSet> fs;
};

class ExtentMap {
 public:
  using iterator = std::map<uint64_t, Extent>::iterator;  // key: first virtual page
  using const_iterator = std::map<uint64_t, Extent>::const_iterator;

  // The extent holding `vpage`, if any (none: a gap between mappings).
  std::optional<iterator> find(uint64_t vpage) { return find_in(extents_, vpage); }
  std::optional<const_iterator> find(uint64_t vpage) const { return find_in(extents_, vpage); }
  // The extent holding `vpage`, which must be mapped (extents cover every
  // page of every region of a live process).
  iterator at(uint64_t vpage) { return std::prev(extents_.upper_bound(vpage)); }

  // Makes `vpage` the first page of an extent and returns that extent; when
  // `vpage` is in no extent, returns the first one after it (or end()).
  // A huge extent may only be split at a folio boundary.
  iterator split(uint64_t vpage);
  // Splits so that pages [first, first + pages) are whole extents, and
  // returns the first of them.
  iterator carve(uint64_t first, uint64_t pages);
  // Merges `it` with its neighbours where they continue it exactly: the
  // same region and state, and the next frames or the same FaultSet.
  void merge_around(iterator it);

  iterator insert(uint64_t vpage, Extent e) { return extents_.emplace(vpage, std::move(e)).first; }
  iterator erase(iterator it) { return extents_.erase(it); }
  void clear() { extents_.clear(); }

  iterator begin() { return extents_.begin(); }
  iterator end() { return extents_.end(); }
  size_t size() const { return extents_.size(); }

 private:
  template <class Map>
  static auto find_in(Map& extents, uint64_t vpage) -> std::optional<decltype(extents.begin())> {
    auto it = extents.upper_bound(vpage);
    if (it == extents.begin()) return std::nullopt;
    --it;
    if (vpage >= it->first + it->second.pages) return std::nullopt;
    return it;
  }

  std::map<uint64_t, Extent> extents_;
};

}  // namespace damon::sim
