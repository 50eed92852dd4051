// Weighted-interleave destination of a folio for vaddr migrate_{hot,cold} with
// dests (docs/engine.md, "Migration destinations"; the kernel's
// damos_va_migrate_dests_add).
//
// The destination depends only on the folio's position in its mapping, so
// for given weights every folio has exactly one right node: repeated passes
// converge and never move a folio back and forth.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

// Position of the folio in the interleave sequence, in folios: the VMA's
// page offset plus the page offset of the folio in the VMA, each shifted
// by the folio order (as the kernel's weighted interleave does).
uint64_t interleave_index(const Vma& vma, uint64_t folio_addr, uint64_t folio_size);

// Index into `dests` of the destination for the folio at `index`: the
// weights split the sequence into repeating runs of weight_i folios per
// node. nullopt when the weights sum to 0 (nothing is migrated then).
std::optional<size_t> interleave_pick(std::span<const Dest> dests, uint64_t index);

}  // namespace damon
