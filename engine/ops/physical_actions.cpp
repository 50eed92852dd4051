#include "engine/ops/physical_actions.h"

#include <algorithm>

#include "engine/machine/memory_node.h"
#include "engine/ops/action_support.h"
#include "engine/ops/ops_filters.h"

namespace damon {

ApplyOutcome apply_physical_action(Machine& m, uint64_t unit, AddrRange region,
                                   const OpsAction& act, std::optional<uint64_t>& last_folio) {
  const ActionEffect effect = physical_action_effect(act.action);
  if (effect == ActionEffect::none) return {};
  if (effect == ActionEffect::stat && act.ops_filters.empty()) return {};

  const Filter young_reject = implicit_young_reject();
  const Filter* extra =
      effect == ActionEffect::pageout && !has_young_filter(act.ops_filters) ? &young_reject
                                                                            : nullptr;
  const bool migrate_to_node =
      effect == ActionEffect::migrate && memory_node(m, act.target_nid).has_value();

  const Space space = Space::phys();
  uint64_t applied_bytes = 0;
  uint64_t passed_bytes = 0;
  for (const FolioInfo& f : m.folios(space, {region.start * unit, region.end * unit})) {
    if (!f.present) {
      last_folio.reset();
      continue;
    }
    if (last_folio == f.addr) continue;
    last_folio = f.addr;
    if (!folio_passes(act, extra, m, space, f)) continue;
    passed_bytes += f.size;
    switch (effect) {
      case ActionEffect::pageout:
        if (m.pageout(space, f.addr)) applied_bytes += f.size;
        break;
      case ActionEffect::lru_activate:
      case ActionEffect::lru_deactivate:
        m.set_lru(space, f.addr, effect == ActionEffect::lru_activate);
        applied_bytes += f.size;
        break;
      case ActionEffect::migrate:
        if (migrate_to_node && f.node != act.target_nid && m.migrate(space, f.addr, act.target_nid))
          applied_bytes += f.size;
        break;
      default:
        break;
    }
  }
  return {.applied = applied_bytes / unit, .filter_passed = passed_bytes / unit};
}

void add_physical_node_bytes(const Machine& machine, uint64_t addr_unit, AddrRange region, int nid,
                             NodeBytes& acc) {
  const AddrRange phys{region.start * addr_unit, region.end * addr_unit};
  for (const FolioInfo& f : machine.folios(Space::phys(), phys)) {
    if (!f.present) continue;
    // A large folio may stick out of the region: count the overlap.
    const uint64_t start = std::max(phys.start, f.addr);
    const uint64_t end = std::min(phys.end, f.addr + f.size);
    if (end <= start) continue;
    acc.total += end - start;
    if (f.node == nid) acc.on_node += end - start;
  }
}

}  // namespace damon
