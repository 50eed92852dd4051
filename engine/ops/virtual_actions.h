// DAMOS actions in a process's virtual address space (vaddr, fvaddr): the
// kernel's damon_va_apply_scheme.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/core/operations.h"

namespace damon {

// Applies `act` to `region` (bytes) of the process `target.pid`.
ApplyOutcome apply_virtual_action(Machine& machine, const Target& target, AddrRange region,
                                  const OpsAction& act, std::optional<uint64_t>& last_folio);

}  // namespace damon
