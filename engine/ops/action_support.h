// What each DAMOS action does in a virtual (vaddr, fvaddr) and in the
// physical (paddr) address space, and which priority score ranks its
// regions there (docs/engine.md, "Actions").
//
// Unsupported action/address-space pairs are accepted by the interface;
// they simply apply 0 bytes, exactly like the kernel's ops callbacks that
// fall through.
#pragma once

#include "engine/core/operations.h"
#include "engine/params.h"

namespace damon {

enum class ActionEffect {
  none,            // accepted, applies nothing
  madvise,         // vaddr/fvaddr: madvise() over the region
  pageout,         // paddr: reclaim folio by folio
  lru_activate,    // paddr: move folios to the active LRU
  lru_deactivate,  // paddr: move folios to the inactive LRU
  migrate,         // per folio, to target_nid (or, vaddr only, to dests)
  stat,            // count only (bytes passing ops filters)
};

ActionEffect virtual_action_effect(Action action);
ActionEffect physical_action_effect(Action action);

// The kernel's damon_va_scheme_score / damon_pa_scheme_score. Only paddr
// scores the LRU actions; vaddr gives them the max score like any other
// action it does not rank.
ScoreKind virtual_score_kind(Action action);
ScoreKind physical_score_kind(Action action);

}  // namespace damon
