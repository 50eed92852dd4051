// A monitoring context: the kernel's struct damon_ctx, live.
//
// Owned by one kdamond thread. Runs DAMON's region-based sampling, aggregation,
// merge/split/age and ops updates (docs/engine.md); DAMOS is reached only
// through the SchemesHook.
//
// (Public API agreed between engine/core, engine/damos and engine/kdamond.
// The core engineer owns the implementation and may add members.)
//
// Driving it: start() once, then loop { wait next_sleep_us() (or until
// next_deadline_us()) on the Clock; iterate(); } until targets_all_invalid()
// or `off`. Time only comes from the Clock and randomness only from the
// seeded Rng, so with a ManualClock the same seed gives the same regions and
// thousands of aggregation intervals run in milliseconds.
//
// Where requests fit: the kernel serves damon_call requests (commit, stats,
// tuned intervals...) right before applying schemes. SchemesHook::apply is
// called at exactly that point of every sampled iteration, so a kdamond may
// serve its queued requests there (then apply DAMOS); commit() is also safe
// between iterate() calls.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/clock.h"
#include "engine/core/operations.h"
#include "engine/core/random.h"
#include "engine/core/region.h"
#include "engine/core/schemes_hook.h"
#include "engine/core/trace.h"
#include "engine/core/validate.h"
#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

// validate(params, machine), declared in validate.h (included above): the
// kernel's errno for parameters given at `on` (and `commit`), before anything
// is built: 0 or a positive errno (EINVAL, ...). See docs/state.md, "on".

class Context {
 public:
  // `select_ops` gives the operations set for params.ops, at start() and
  // at every commit() that changes it (engine/ops: make_operations).
  Context(ContextParams params, Machine& machine, const Clock& clock, uint64_t seed,
          SelectOps select_ops);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Builds the initial regions (user regions, then ops init) and prepares the
  // first sample. 0 or -errno (-EINVAL when validate() rejects the
  // parameters or there is no operations set for them). Call once.
  int start();

  // One iteration of the kdamond loop, called once the sampling interval
  // has elapsed: check the accesses of the sample that just ended, update
  // the smoothed counters, merge at the aggregation boundary, call the
  // schemes hook, reset + split, ops update when due, intervals tuning,
  // then prepare the next sample. While every scheme is watermark-
  // deactivated (or the context is paused) no sample is prepared and the
  // next call only re-checks. Does nothing before start().
  void iterate();

  // Microseconds the kdamond should wait before the next iterate(): what is
  // left of the sampling interval (or of the watermark wait).
  uint64_t next_sleep_us();
  // The same moment as an absolute Clock time.
  uint64_t next_deadline_us() const;

  // True when no target can be monitored any more (every vaddr/fvaddr
  // process gone, or a vaddr/fvaddr context without targets): the kdamond
  // stops by itself, like the kernel's. Never for paddr.
  bool targets_all_invalid() const;

  // Online parameter update (sysfs `commit`, docs/state.md). 0 or -errno; on
  // failure the context is unchanged. A changed OpsId gets a new operations
  // set. Schemes are only recorded in params(): DAMOS commits its own state.
  int commit(const ContextParams& params);

  void set_schemes_hook(SchemesHook* hook);
  // Where this context emits DAMON's tracepoints (core/trace.h); nullptr
  // (the default) emits nothing. Set before start().
  void set_trace_sink(TraceSink* sink);
  TraceSink* trace_sink() const;

  const ContextParams& params() const;
  // Current attributes, including auto-tuned sample_us/aggr_us.
  const MonitoringAttrs& attrs() const;
  // Incremented whenever the attributes are (re)set: by a commit that
  // changed them or by intervals auto-tuning. Like the kernel's
  // damon_set_attrs, this is when schemes' next apply times restart from now.
  uint64_t attrs_generation() const;
  // Target::valid is refreshed before every sample.
  std::vector<Target>& targets();
  const std::vector<Target>& targets() const;
  Machine& machine();
  const Machine& machine() const;
  // The operations set in use; only valid after a successful start().
  const Operations& ops() const;
  const Clock& clock() const;
  Rng& rng();

  // Sampling intervals passed since start (the kernel's passed_sample_intervals).
  uint64_t passed_samples() const;
  // Samples per aggregation interval (aggr_us / sample_us, at least 1).
  uint64_t samples_per_aggregation() const;
  // Samples left until the running aggregation ends (0 once it is due).
  uint64_t samples_left_in_aggregation() const;
  // Minimum region size in core address units (PAGE_SIZE, or for paddr
  // max(PAGE_SIZE / addr_unit, 1)).
  uint64_t min_region_size() const;
  // Upper size of one region so that min_nr_regions holds: total monitored
  // bytes / min_nr_regions, at least min_region_size() (computed now).
  uint64_t region_size_limit() const;
  // Regions of all targets.
  uint64_t nr_regions() const;
  // True during the iterate() call that ends an aggregation interval.
  bool aggregation_boundary() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace damon
