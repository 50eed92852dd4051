// What a sysfs kdamond runs: one monitoring context with its schemes,
// adapted to the kdamond thread's unit of work. The context's operations
// set comes from the registry (ops/registry.h) by the OpsId it is given.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/context.h"
#include "engine/damos/schemes.h"
#include "engine/kdamond/kdamond_work.h"

namespace damon {

class ContextWork final : public KdamondWork {
 public:
  // `machine`, `clock` and `trace` (when given: where the context emits
  // DAMON's tracepoints) must outlive the work.
  ContextWork(const ContextParams& params, Machine& machine, const Clock& clock, uint64_t seed,
              TraceSink* trace = nullptr);

  // KdamondWork.
  int start() override;
  void iterate() override;
  uint64_t next_sleep_us() override;
  bool should_stop() override;
  void begin_walk(DamosWalk& walk) override;

  // sysfs `commit`: the context's online update, then the schemes'. 0 or
  // -errno; on error nothing changed.
  int commit(const ContextParams& params);
  // sysfs `commit_schemes_quota_goals`.
  void commit_quota_goals(const ContextParams& params);

  std::vector<SchemeStats> scheme_stats() const { return schemes_.stats(); }
  std::vector<uint64_t> effective_bytes() const { return schemes_.effective_bytes(); }
  // Current (possibly auto-tuned) sampling and aggregation intervals.
  uint64_t sample_us() const { return context_.attrs().sample_us; }
  uint64_t aggr_us() const { return context_.attrs().aggr_us; }

 private:
  Context context_;
  Schemes schemes_;
};

}  // namespace damon
