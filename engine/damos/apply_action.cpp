#include "engine/damos/apply_action.h"

namespace damon {

ApplyOutcome apply_action(const MonitorView& view, const Target& target, AddrRange region,
                          const SchemeAction& act, std::optional<uint64_t>& last_folio) {
  const OpsAction ops_act{.action = act.action,
                          .target_nid = act.target_nid,
                          .dests = act.dests,
                          .ops_filters = act.filters.ops(),
                          .ops_default_reject = act.filters.ops_default_reject(),
                          .core_allowed = act.core_allowed};
  return view.ops.apply_scheme(view.machine, view.addr_unit, target, region, ops_act, last_folio);
}

}  // namespace damon
