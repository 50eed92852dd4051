// DAMON-based operation schemes of one monitoring context (docs/engine.md,
// "DAMOS"; docs/state.md, "Tried regions" and "commit"): when each scheme runs,
// its watermarks and quota, the regions it acts on, stats, tried-regions walks
// and online updates.
//
// Plugs into a Context as its SchemesHook. Not thread-safe: owned and
// driven by the context's kdamond thread, like the rest of its live state.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/core/schemes_hook.h"
#include "engine/damos/monitor_view.h"
#include "engine/damos/scheme.h"
#include "engine/damos/tried_regions_walk.h"
#include "engine/params.h"

namespace damon {

class Schemes final : public SchemesHook {
 public:
  // Schemes built at `on` (or for a context about to start): each is first
  // applied one apply interval after view.passed_samples.
  Schemes(const std::vector<SchemeParams>& params, const MonitorView& view);
  // A pending walk is cancelled (its on_end gets -ECANCELED).
  ~Schemes() override;
  Schemes(const Schemes&) = delete;
  Schemes& operator=(const Schemes&) = delete;

  // SchemesHook.
  uint64_t watermark_wait_us(Context& ctx) override;
  void apply(Context& ctx) override;

  // Loop step 1: checks every scheme's watermarks. 0 when some scheme is
  // active (or there are none), else how long to wait before checking
  // again; a pending walk is cancelled then, as it cannot progress.
  uint64_t watermark_wait_us(const Machine& machine);
  // Loop step 7: applies the schemes that are due.
  void apply(const MonitorView& view);

  // sysfs `commit`: schemes matched by position keep their stats, charge
  // state, esz and goal history; extra running schemes are dropped, extra
  // new ones added (first applied one apply interval from now).
  void commit(const std::vector<SchemeParams>& params, const MonitorView& view);
  // sysfs `commit_schemes_quota_goals`: each scheme's goals, by position.
  void commit_quota_goals(const std::vector<SchemeParams>& params);

  size_t size() const { return schemes_.size(); }
  std::vector<SchemeStats> stats() const;
  // Each scheme's effective size quota (quotas/effective_bytes); 0 = none.
  std::vector<uint64_t> effective_bytes() const;

  // Installs a tried-regions walk: 0, or -EBUSY while another is pending.
  int request_walk(WalkRequest request);
  // Cancels a pending walk (context paused or stopping).
  void cancel_walk();
  bool walk_pending() const { return walk_.has_value(); }

 private:
  bool due(const Scheme& s, const MonitorView& view) const;
  void schedule(Scheme& s, const MonitorView& view);
  void adjust_quota(Scheme& s, const MonitorView& view);
  void apply_to_target(size_t target_idx, const MonitorView& view);
  void apply_to_region(Scheme& s, size_t scheme_idx, size_t target_idx, size_t region_idx,
                       const MonitorView& view);
  void finish_walk_round(Scheme& s);
  // The scheme's position, as tracepoints name it.
  uint64_t index_of(const Scheme& s) const;
  void end_walk(int result);

  std::vector<Scheme> schemes_;
  uint64_t attrs_generation_;
  std::optional<WalkRequest> walk_;
};

}  // namespace damon
