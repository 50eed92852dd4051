// What each DAMOS action does under each operations set (docs/engine.md,
// "Actions").
//
// Unsupported action/ops pairs are accepted by the interface; they simply
// apply 0 bytes, exactly like the kernel's ops callbacks that fall through.
#pragma once

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

ActionEffect action_effect(OpsId ops, Action action);

// Which priority score ranks regions under a quota.
enum class ScoreKind { hot, cold, max };

ScoreKind action_score_kind(OpsId ops, Action action);

}  // namespace damon
