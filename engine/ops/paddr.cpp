#include "engine/ops/paddr.h"

#include "engine/core/context.h"
#include "engine/ops/action_support.h"
#include "engine/ops/physical_actions.h"

namespace damon {

bool PaddrOps::target_valid(const Context& ctx, const Target& t) const {
  (void)ctx;
  (void)t;
  return true;
}

bool PaddrOps::all_targets_invalid(const Context& ctx) const {
  (void)ctx;
  return false;
}

void PaddrOps::apply_probes(Context& ctx) {
  const std::vector<ProbeParams>& probes = ctx.params().probes;
  if (probes != probes_seen_) {
    probes_seen_ = probes;
    probes_ = ready_probes(probes);
  }
  // paddr targets never become invalid, so check_accesses read the pages
  // of every target.
  for (size_t ti = 0; ti < ctx.targets().size(); ++ti) {
    Target& t = ctx.targets()[ti];
    const std::vector<SampledPage>& pages = sampled_pages(ti);
    for (size_t i = 0; i < t.regions.size(); ++i) {
      Region& r = t.regions[i];
      for (size_t p = 0; p < probes_.size() && p < kMaxProbes; ++p)
        if (probe_hit(probes_[p], pages[i])) ++r.probe_hits[p];
    }
  }
}

bool PaddrOps::reads_sampled_pages(const Context& ctx) const { return !ctx.params().probes.empty(); }

Space PaddrOps::space_of(const Target& t) const {
  (void)t;
  return Space::phys();
}

uint64_t PaddrOps::machine_addr_unit(const Context& ctx) const { return ctx.params().addr_unit; }

ApplyOutcome PaddrOps::apply_scheme(Machine& machine, uint64_t addr_unit, const Target& target,
                                    AddrRange region, const OpsAction& act,
                                    std::optional<uint64_t>& last_folio) const {
  (void)target;  // the one physical address space
  return apply_physical_action(machine, addr_unit, region, act, last_folio);
}

ScoreKind PaddrOps::score_kind(Action action) const { return physical_score_kind(action); }

void PaddrOps::add_node_bytes(const Machine& machine, uint64_t addr_unit, const Target& target,
                              AddrRange region, int nid, NodeBytes& acc) const {
  (void)target;
  add_physical_node_bytes(machine, addr_unit, region, nid, acc);
}

}  // namespace damon
