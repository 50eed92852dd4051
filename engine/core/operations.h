// The operations-set interface: the kernel's struct damon_operations.
//
// Everything that depends on the address space sits behind it: building and
// updating the targets' regions, sampling accesses, whether a target is
// still monitorable, and the DAMOS callbacks (applying an action to a
// region, which score ranks a scheme's regions, how much of a region sits
// on a node). core/ runs the set it is handed and never names one; the
// sets themselves live in engine/ops and are chosen by OpsId there
// (ops/registry.h), by whoever builds the Context. DAMOS (engine/damos)
// reaches them through Context::ops() and never branches on OpsId.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "engine/core/region.h"
#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

class Context;

// A DAMOS action as an operations set applies it to one region: what the
// kernel's apply_scheme callbacks read from struct damos.
struct OpsAction {
  Action action;
  int target_nid;
  std::span<const Dest> dests;
  // The scheme's ops filter group (anon, active, memcg, young, hugepage
  // size, unmapped), judged per folio by the operations set, and what
  // happens to a folio none of them decides.
  std::span<const Filter> ops_filters;
  bool ops_default_reject;
  // The core filter group allowed the region explicitly: ops filters are
  // skipped (including paddr pageout's implicit young filter).
  bool core_allowed;
};

struct ApplyOutcome {
  uint64_t applied = 0;        // core address units the action changed
  uint64_t filter_passed = 0;  // core address units that passed ops filters
};

// Which priority score ranks the regions of a quota-limited scheme.
enum class ScoreKind { hot, cold, max };

// Bytes of memory behind a region, and how many of them are on one node
// (node_eligible_mem_bp).
struct NodeBytes {
  uint64_t total = 0;
  uint64_t on_node = 0;
};

class Operations {
 public:
  virtual ~Operations() = default;

  virtual OpsId id() const = 0;

  // --- monitoring (called by core) -----------------------------------------
  // At start, after the user regions are installed: build regions for
  // targets that have none.
  virtual void init(Context& ctx) = 0;
  // Every ops update interval: refresh the targets' ranges.
  virtual void update(Context& ctx) = 0;
  // Whether `t` can still be monitored (its process exists).
  virtual bool target_valid(const Context& ctx, const Target& t) const = 0;
  // True when the kdamond should stop by itself because no target can be
  // monitored any more (uses the cached Target::valid flags).
  virtual bool all_targets_invalid(const Context& ctx) const = 0;
  // Step 2 of the loop: pick each region's sampling address and clear its
  // accessed state. Targets flagged invalid are skipped.
  virtual void prepare_access_checks(Context& ctx) = 0;
  // Step 4: read back each sampled address, update nr_accesses and the
  // smoothed count; regions of invalid targets count as not accessed.
  // Returns the largest nr_accesses of any region.
  virtual uint32_t check_accesses(Context& ctx) = 0;
  // Step 4b, when probes are installed: count each probe's hits on the
  // pages just checked. Optional like the kernel's callback, which only
  // paddr has: vaddr and fvaddr leave the hits at 0.
  virtual void apply_probes(Context& ctx) { (void)ctx; }

  // --- DAMOS (called by engine/damos) --------------------------------------
  // The kernel's apply_scheme: applies `act` to `region` (core address
  // units, `addr_unit` bytes each) of `target`. `last_folio` is the
  // scheme's per-round memory of the last folio it handled, so a large
  // folio straddling two regions is handled once.
  virtual ApplyOutcome apply_scheme(Machine& machine, uint64_t addr_unit, const Target& target,
                                    AddrRange region, const OpsAction& act,
                                    std::optional<uint64_t>& last_folio) const = 0;
  // The kernel's get_scheme_score, as the choice of score: which one ranks
  // the regions of a scheme doing `action`.
  virtual ScoreKind score_kind(Action action) const = 0;
  // Adds to `acc` the bytes behind `region` of `target` and those of them
  // on node `nid` (node_eligible_mem_bp). An address space that cannot
  // tell adds nothing.
  virtual void add_node_bytes(const Machine& machine, uint64_t addr_unit, const Target& target,
                              AddrRange region, int nid, NodeBytes& acc) const = 0;
};

// How a Context gets the operations set for an OpsId (at start, and at a
// commit that changes it): nullptr when no such set exists, which fails
// like the kernel's damon_select_ops (-EINVAL).
using SelectOps = std::unique_ptr<Operations> (*)(OpsId id);

}  // namespace damon
