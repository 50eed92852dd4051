#include "engine/ops/fvaddr.h"

#include "engine/core/context.h"
#include "engine/ops/action_support.h"
#include "engine/ops/virtual_actions.h"

namespace damon {

bool FvaddrOps::target_valid(const Context& ctx, const Target& t) const {
  return ctx.machine().task_exists(t.pid);
}

uint64_t FvaddrOps::machine_addr_unit(const Context& ctx) const {
  (void)ctx;
  return 1;
}

ApplyOutcome FvaddrOps::apply_scheme(Machine& machine, uint64_t addr_unit, const Target& target,
                                     AddrRange region, const OpsAction& act,
                                     std::optional<uint64_t>& last_folio) const {
  (void)addr_unit;  // virtual addresses are bytes
  return apply_virtual_action(machine, target, region, act, last_folio);
}

ScoreKind FvaddrOps::score_kind(Action action) const { return virtual_score_kind(action); }

void FvaddrOps::add_node_bytes(const Machine& machine, uint64_t addr_unit, const Target& target,
                               AddrRange region, int nid, NodeBytes& acc) const {
  (void)machine;
  (void)addr_unit;
  (void)target;
  (void)region;
  (void)nid;
  (void)acc;
}

}  // namespace damon
