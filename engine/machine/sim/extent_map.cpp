// Splitting and merging a process's extents (extent_map.h).
#include "engine/machine/sim/extent_map.h"

#include <cassert>

namespace damon::sim {
namespace {

bool mergeable(uint64_t a_first, const Extent& a, uint64_t b_first, const Extent& b) {
  if (a_first + a.pages != b_first || a.region != b.region || a.lazy != b.lazy || a.active != b.active ||
      a.huge != b.huge)
    return false;
  return a.lazy ? a.fs == b.fs : a.node == b.node && a.pfn + a.pages == b.pfn;
}

}  // namespace

ExtentMap::iterator ExtentMap::split(uint64_t vpage) {
  auto it = extents_.upper_bound(vpage);
  if (it == extents_.begin()) return it;
  --it;
  if (it->first == vpage) return it;
  const uint64_t off = vpage - it->first;
  if (off >= it->second.pages) return std::next(it);
  assert(!it->second.huge || vpage % kHugePages == 0);
  Extent right = it->second;
  right.pages -= off;
  if (!right.lazy) right.pfn += off;
  it->second.pages = off;
  return extents_.emplace_hint(std::next(it), vpage, std::move(right));
}

ExtentMap::iterator ExtentMap::carve(uint64_t first, uint64_t pages) {
  split(first + pages);
  return split(first);
}

void ExtentMap::merge_around(iterator it) {
  if (it != extents_.begin()) {
    auto prev = std::prev(it);
    if (mergeable(prev->first, prev->second, it->first, it->second)) {
      prev->second.pages += it->second.pages;
      extents_.erase(it);
      it = prev;
    }
  }
  auto next = std::next(it);
  if (next != extents_.end() && mergeable(it->first, it->second, next->first, next->second)) {
    it->second.pages += next->second.pages;
    extents_.erase(next);
  }
}

}  // namespace damon::sim
