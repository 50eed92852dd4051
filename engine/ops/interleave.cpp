#include "engine/ops/interleave.h"

#include <bit>

namespace damon {

uint64_t interleave_index(const Vma& vma, uint64_t folio_addr, uint64_t folio_size) {
  const uint64_t pages = folio_size / kPageSize;
  const int order = pages > 1 ? std::bit_width(pages) - 1 : 0;
  return (vma.pgoff >> order) + (((folio_addr - vma.start) / kPageSize) >> order);
}

std::optional<size_t> interleave_pick(std::span<const Dest> dests, uint64_t index) {
  uint64_t total = 0;
  for (const Dest& d : dests) total += d.weight;
  if (!total) return std::nullopt;
  uint64_t t = index % total;
  for (size_t i = 0; i < dests.size(); ++i) {
    if (t < dests[i].weight) return i;
    t -= dests[i].weight;
  }
  return std::nullopt;  // unreachable: t < total
}

}  // namespace damon
