// Applying a scheme's action to one region: what DAMOS hands the
// operations set's apply_scheme (docs/engine.md: "Actions", "Filters",
// "Migration destinations").
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "engine/core/operations.h"
#include "engine/damos/filters.h"
#include "engine/damos/monitor_view.h"
#include "engine/params.h"

namespace damon {

struct SchemeAction {
  Action action;
  int target_nid;
  std::span<const Dest> dests;
  const FilterSet& filters;
  // The core filter group allowed the region explicitly: ops filters are
  // skipped (including paddr pageout's implicit young filter).
  bool core_allowed;
};

// Applies `act` to `region` (core address units) of `target` through
// view.ops. `last_folio` is the scheme's per-round memory of the last folio
// it handled: a large folio straddling two regions is handled once.
ApplyOutcome apply_action(const MonitorView& view, const Target& target, AddrRange region,
                          const SchemeAction& act, std::optional<uint64_t>& last_folio);

}  // namespace damon
