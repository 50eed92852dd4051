#include "engine/ops/vaddr.h"

#include <algorithm>
#include <utility>

#include "engine/core/arith.h"
#include "engine/core/context.h"
#include "engine/core/regions.h"

namespace damon {

std::optional<std::array<AddrRange, 3>> three_regions(const std::vector<Vma>& vmas, uint64_t unit) {
  if (vmas.empty()) return std::nullopt;
  // Largest gap first; a later gap must be strictly larger to displace an
  // earlier one of the same size, as in the kernel.
  AddrRange first_gap, second_gap;
  for (size_t i = 1; i < vmas.size(); ++i) {
    const AddrRange gap{vmas[i - 1].end, vmas[i].start};
    if (gap.size() > first_gap.size()) {
      second_gap = first_gap;
      first_gap = gap;
    } else if (gap.size() > second_gap.size()) {
      second_gap = gap;
    }
  }
  if (first_gap.size() == 0 || second_gap.size() == 0) return std::nullopt;
  if (first_gap.start > second_gap.start) std::swap(first_gap, second_gap);
  return std::array<AddrRange, 3>{
      AddrRange{arith::align_up(vmas.front().start, unit), arith::align_up(first_gap.start, unit)},
      AddrRange{arith::align_up(first_gap.end, unit), arith::align_up(second_gap.start, unit)},
      AddrRange{arith::align_up(second_gap.end, unit), arith::align_up(vmas.back().end, unit)},
  };
}

void evenly_split_region(std::vector<Region>& regions, size_t i, uint64_t nr_pieces, uint64_t unit) {
  if (nr_pieces == 0) return;
  const Region orig = regions[i];
  const uint64_t piece = arith::align_down(orig.size() / nr_pieces, unit);
  if (piece == 0) return;
  std::vector<Region> pieces;
  regions[i].ar.end = orig.ar.start + piece;
  for (uint64_t start = orig.ar.start + piece; start + piece <= orig.ar.end; start += piece) {
    Region r;
    r.ar = {start, start + piece};
    pieces.push_back(r);
  }
  if (pieces.empty()) {
    regions[i].ar.end = orig.ar.end;
    return;
  }
  pieces.back().ar.end = orig.ar.end;  // the remainder of the rounding
  regions.insert(regions.begin() + static_cast<std::ptrdiff_t>(i) + 1, pieces.begin(), pieces.end());
}

void VaddrOps::init(Context& ctx) {
  const uint64_t unit_min = ctx.min_region_size();
  for (Target& t : ctx.targets()) {
    if (!t.regions.empty()) continue;  // the user's regions come first
    const auto ranges = three_regions(ctx.machine().vmas(t.pid), unit_min);
    if (!ranges) continue;
    if (ctx.params().min_nr_regions_from_start) {
      // The core cuts them to min_nr_regions right after.
      for (const AddrRange& range : *ranges) {
        Region r;
        r.ar = range;
        t.regions.push_back(r);
      }
      continue;
    }
    uint64_t unit = 0;
    for (const AddrRange& r : *ranges) unit += r.size();
    unit /= ctx.attrs().min_nr_regions;
    unit = std::max(unit, unit_min);
    for (const AddrRange& range : *ranges) {
      Region r;
      r.ar = range;
      t.regions.push_back(r);
      evenly_split_region(t.regions, t.regions.size() - 1, range.size() / unit, unit_min);
    }
  }
}

void VaddrOps::update(Context& ctx) {
  for (Target& t : ctx.targets()) {
    const auto ranges = three_regions(ctx.machine().vmas(t.pid), ctx.min_region_size());
    if (ranges) set_regions(t.regions, *ranges, ctx.min_region_size());
  }
}

}  // namespace damon
