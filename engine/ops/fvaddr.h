// fvaddr: fixed virtual address ranges of processes. Monitors exactly the
// user-given regions of each pid; the base of vaddr, which adds automatic
// ranges.
#pragma once

#include "engine/ops/common.h"

namespace damon {

class FvaddrOps : public CommonOps {
 public:
  OpsId id() const override { return OpsId::fvaddr; }
  bool target_valid(const Context& ctx, const Target& t) const override;
  ApplyOutcome apply_scheme(Machine& machine, uint64_t addr_unit, const Target& target,
                            AddrRange region, const OpsAction& act,
                            std::optional<uint64_t>& last_folio) const override;
  ScoreKind score_kind(Action action) const override;
  // A process's pages are not counted per node (node_eligible_mem_bp is a
  // paddr metric): adds nothing.
  void add_node_bytes(const Machine& machine, uint64_t addr_unit, const Target& target,
                      AddrRange region, int nid, NodeBytes& acc) const override;

 protected:
  Space space_of(const Target& t) const override { return Space::process(t.pid); }
  uint64_t machine_addr_unit(const Context& ctx) const override;
};

}  // namespace damon
