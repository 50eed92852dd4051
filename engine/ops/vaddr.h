// vaddr: virtual address spaces of processes with automatic ranges
// (docs/engine.md, "Address ranges of targets"; the kernel's
// damon_va_three_regions). A process's mappings are reduced to three ranges
// separated by its two largest unmapped gaps (usually heap/mmap and
// mmap/stack), so the huge holes are never sampled.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/core/region.h"
#include "engine/machine/machine.h"
#include "engine/ops/fvaddr.h"

namespace damon {

// The three ranges around the two largest gaps between consecutive VMAs,
// bounds aligned up to `unit`; nullopt when there are fewer than two
// non-empty gaps.
std::optional<std::array<AddrRange, 3>> three_regions(const std::vector<Vma>& vmas, uint64_t unit);

// Splits regions[i] into pieces of ALIGN_DOWN(size / nr_pieces, unit), the
// last piece taking the remainder (the kernel's damon_va_evenly_split_region:
// pieces keep being cut while a whole one fits, so rounding can yield more
// than nr_pieces). Leaves the region whole when the piece size rounds to 0.
void evenly_split_region(std::vector<Region>& regions, size_t i, uint64_t nr_pieces, uint64_t unit);

class VaddrOps final : public FvaddrOps {
 public:
  OpsId id() const override { return OpsId::vaddr; }
  // Targets without user regions get the three ranges, each evenly split
  // into about min_nr_regions / 3 pieces (up to 7.1); from 7.2
  // (ContextParams::min_nr_regions_from_start) whole, for the core to cut.
  void init(Context& ctx) override;
  // "Set regions" to the current three ranges of every target.
  void update(Context& ctx) override;
};

}  // namespace damon
