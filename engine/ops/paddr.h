// paddr: the physical address space. Exactly the user regions, in core address
// units; physical address = core address x addr_unit (docs/engine.md,
// "addr_unit"). No regions means nothing is monitored, and the single target
// never becomes invalid, so a paddr kdamond never stops by itself.
#pragma once

#include <vector>

#include "engine/ops/common.h"
#include "engine/ops/probes.h"

namespace damon {

class PaddrOps final : public CommonOps {
 public:
  OpsId id() const override { return OpsId::paddr; }
  bool target_valid(const Context& ctx, const Target& t) const override;
  bool all_targets_invalid(const Context& ctx) const override;
  ApplyOutcome apply_scheme(Machine& machine, uint64_t addr_unit, const Target& target,
                            AddrRange region, const OpsAction& act,
                            std::optional<uint64_t>& last_folio) const override;
  ScoreKind score_kind(Action action) const override;
  void add_node_bytes(const Machine& machine, uint64_t addr_unit, const Target& target,
                      AddrRange region, int nid, NodeBytes& acc) const override;
  void apply_probes(Context& ctx) override;

 protected:
  Space space_of(const Target& t) const override;
  uint64_t machine_addr_unit(const Context& ctx) const override;
  bool reads_sampled_pages(const Context& ctx) const override;

 private:
  // Rebuilt when the committed probes change; reused per sample.
  std::vector<ProbeParams> probes_seen_;
  std::vector<ReadyProbe> probes_;
};

}  // namespace damon
