// Runs monitoring contexts with their schemes on a simulated machine in
// virtual time, like kdamonds would, for the seed reproductions: each
// context iterates at its own deadlines on one shared ManualClock.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/clock.h"
#include "engine/core/context.h"
#include "engine/damos/schemes.h"
#include "engine/machine/sim/sim_machine.h"
#include "engine/ops/registry.h"
#include "tests/support/any_pattern.h"

namespace damon::test {

inline constexpr uint64_t kSecond = 1000000;

class SimDriver {
 public:
  explicit SimDriver(const sim::Scenario& scenario) : machine_(scenario, clock_) {}

  sim::SimMachine& machine() { return machine_; }
  ManualClock& clock() { return clock_; }

  // Starts a context (`on`); returns its index.
  size_t start(ContextParams params, uint64_t seed = 1) {
    Kdamond k;
    k.ctx = std::make_unique<Context>(std::move(params), machine_, clock_, seed, make_operations);
    if (k.ctx->start() != 0) return SIZE_MAX;
    k.schemes = std::make_unique<Schemes>(k.ctx->params().schemes, view_of(*k.ctx));
    k.ctx->set_schemes_hook(k.schemes.get());
    kdamonds_.push_back(std::move(k));
    return kdamonds_.size() - 1;
  }

  Context& ctx(size_t i) { return *kdamonds_[i].ctx; }
  Schemes& schemes(size_t i) { return *kdamonds_[i].schemes; }

  // sysfs `commit` of new parameters to context i.
  int commit(size_t i, const ContextParams& params) {
    if (int err = ctx(i).commit(params)) return err;
    schemes(i).commit(params.schemes, view_of(ctx(i)));
    return 0;
  }

  // Runs every context until virtual time `t_us`.
  void run_until(uint64_t t_us) {
    for (;;) {
      Kdamond* next = nullptr;
      for (Kdamond& k : kdamonds_)
        if (!next || k.ctx->next_deadline_us() < next->ctx->next_deadline_us()) next = &k;
      if (!next || next->ctx->next_deadline_us() > t_us) break;
      if (next->ctx->next_deadline_us() > clock_.now_us())
        clock_.set(next->ctx->next_deadline_us());
      next->ctx->iterate();
    }
    if (clock_.now_us() < t_us) clock_.set(t_us);
  }
  void run_for(uint64_t us) { run_until(clock_.now_us() + us); }

 private:
  struct Kdamond {
    std::unique_ptr<Context> ctx;
    std::unique_ptr<Schemes> schemes;
  };

  ManualClock clock_{kSecond};
  sim::SimMachine machine_;
  std::vector<Kdamond> kdamonds_;
};

// Bytes of a process's named region resident on node `nid`.
inline uint64_t resident_on(const sim::SimMachine& m, int pid, const std::string& region, int nid) {
  const std::vector<NodeMemory> nodes = m.nodes();
  for (const sim::RegionTruth& r : m.region_truth(pid)) {
    if (r.name != region) continue;
    for (size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].id == nid) return r.resident_bytes[i];
  }
  return 0;
}

// The seeds' weighted-interleave damo configuration (interleave_vaddr.yaml):
// vaddr on `pid`, 500 ms / 5 s / 20 s, 20..50 regions, one migrate_hot
// scheme over every region with `dests` as its weighted destinations.
inline ContextParams seed_interleave_params(int pid, std::vector<Dest> dests) {
  ContextParams params;
  params.ops = OpsId::vaddr;
  params.attrs.sample_us = 500000;
  params.attrs.aggr_us = 5 * kSecond;
  params.attrs.update_us = 20 * kSecond;
  params.attrs.min_nr_regions = 20;
  params.attrs.max_nr_regions = 50;
  params.targets.push_back(TargetParams{pid, false, {}});
  SchemeParams s;
  s.action = Action::migrate_hot;
  s.pattern = any_pattern();
  s.dests = std::move(dests);
  params.schemes = {s};
  return params;
}

}  // namespace damon::test
