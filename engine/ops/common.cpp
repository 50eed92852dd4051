#include "engine/ops/common.h"

#include <algorithm>

#include "engine/core/attrs.h"
#include "engine/core/context.h"
#include "engine/core/regions.h"

namespace damon {

void CommonOps::init(Context& ctx) { (void)ctx; }

void CommonOps::update(Context& ctx) { (void)ctx; }

bool CommonOps::all_targets_invalid(const Context& ctx) const {
  return std::none_of(ctx.targets().begin(), ctx.targets().end(),
                      [](const Target& t) { return t.valid; });
}

bool CommonOps::reads_sampled_pages(const Context& ctx) const {
  (void)ctx;
  return false;
}

const std::vector<uint64_t>& CommonOps::sampling_addrs(const Context& ctx, size_t ti) {
  // Regions only change between a prepare and its check by a commit, which
  // prepares again: the addresses prepare gave the machine still hold
  // unless the target was skipped then.
  const Target& t = ctx.targets()[ti];
  std::vector<uint64_t>& addrs = addrs_[ti];
  if (addrs.size() != t.regions.size()) {
    const uint64_t unit = machine_addr_unit(ctx);
    addrs.resize(t.regions.size());
    for (size_t i = 0; i < t.regions.size(); ++i) addrs[i] = t.regions[i].sampling_addr * unit;
  }
  return addrs;
}

void CommonOps::prepare_access_checks(Context& ctx) {
  // A copy in registers: drawing through the reference kept the state in
  // memory, as the stores to the regions might alias it, and the draws
  // waited on each other's store (a tenth of a vaddr sample's time).
  Rng rng = ctx.rng();
  const uint64_t unit = machine_addr_unit(ctx);
  addrs_.resize(ctx.targets().size());
  for (size_t ti = 0; ti < ctx.targets().size(); ++ti) {
    Target& t = ctx.targets()[ti];
    std::vector<uint64_t>& addrs = addrs_[ti];
    if (!t.valid) {
      addrs.clear();
      continue;
    }
    addrs.resize(t.regions.size());
    for (size_t i = 0; i < t.regions.size(); ++i) {
      Region& r = t.regions[i];
      // Validation keeps regions non-empty; should one ever be empty, its
      // start is the only address to look at (rand_range needs a range).
      r.sampling_addr = r.size() ? rand_range(rng, r.ar.start, r.ar.end) : r.ar.start;
      addrs[i] = r.sampling_addr * unit;
    }
    ctx.machine().mkold(space_of(t), addrs);
  }
  ctx.rng() = rng;
}

uint32_t CommonOps::check_accesses(Context& ctx) {
  const uint64_t window = ctx.attrs().sample_us ? max_nr_accesses(ctx.attrs()) : 1;
  uint32_t max_nr = 0;
  const bool read_pages = reads_sampled_pages(ctx);
  // Data attributes-only monitoring (7.3 probe weights): the samples feed
  // the probes only; nr_accesses stays 0.
  const bool count_accesses = !has_probe_weights(ctx.params());
  if (read_pages) pages_.resize(ctx.targets().size());
  addrs_.resize(ctx.targets().size());
  for (size_t ti = 0; ti < ctx.targets().size(); ++ti) {
    Target& t = ctx.targets()[ti];
    if (t.valid) {
      const std::vector<uint64_t>& addrs = sampling_addrs(ctx, ti);
      if (read_pages)
        ctx.machine().young_pages(space_of(t), addrs, young_, pages_[ti]);
      else
        ctx.machine().young(space_of(t), addrs, young_);
    }
    AccessRateUpdate update(window);
    for (size_t i = 0; i < t.regions.size(); ++i) {
      Region& r = t.regions[i];
      if (count_accesses) update(r, t.valid && young_[i]);
      max_nr = std::max(max_nr, r.nr_accesses);
    }
  }
  return max_nr;
}

}  // namespace damon
