// DAMOS actions on physical memory (paddr): the kernel's
// damon_pa_apply_scheme. Every action walks the folios of the range.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/core/operations.h"

namespace damon {

// Applies `act` to `region`, in core address units of `addr_unit` bytes.
ApplyOutcome apply_physical_action(Machine& machine, uint64_t addr_unit, AddrRange region,
                                   const OpsAction& act, std::optional<uint64_t>& last_folio);

// Adds the bytes of folios overlapping `region` (core address units) to
// acc.total, and those on node `nid` to acc.on_node.
void add_physical_node_bytes(const Machine& machine, uint64_t addr_unit, AddrRange region, int nid,
                             NodeBytes& acc);

}  // namespace damon
