// Looking up a NUMA node of a Machine, for DAMOS goal metrics and for the
// migrate actions of the operations sets.
#pragma once

#include <optional>

#include "engine/machine/machine.h"

namespace damon {

// The node, when it exists and has memory (the kernel's N_MEMORY state).
inline std::optional<NodeMemory> memory_node(const Machine& machine, int nid) {
  if (nid < 0) return std::nullopt;
  for (const NodeMemory& n : machine.nodes())
    if (n.id == nid && n.total_bytes) return n;
  return std::nullopt;
}

}  // namespace damon
