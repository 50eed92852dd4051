// The boundary between the sysfs tree and whatever runs kdamonds.
//
// The tree owns the staged parameters (what the files hold) and the kernel's
// sysfs rules (parsing, errno, the global lock, unknown `state` keywords).
// Everything that needs a running DAMON — `state`/`pid` contents, the `state`
// commands, "is anything running" — goes through KdamondBackend. The backend
// reaches back into the tree only through StagedKdamond: to build engine
// parameters from a kdamond's staged context and to write results (stats,
// effective quotas, tried regions, tuned intervals) into its files.
//
// Threading: every call in both directions happens on the tree's thread (the
// FUSE loop). A backend whose work finishes elsewhere posts the completion
// back to that thread before it touches a StagedKdamond or calls `done`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "engine/params.h"

namespace damonfs::fs {

// Names one kdamonds/<index> directory for as long as it exists. Every
// nr_kdamonds write rebuilds all kdamond directories and bumps the
// generation, so handles taken before it resolve to nothing afterwards.
struct KdamondHandle {
  uint64_t generation = 0;
  uint32_t index = 0;
  friend auto operator<=>(const KdamondHandle&, const KdamondHandle&) = default;
};

// The `state` keywords (docs/state.md), already matched by the tree.
enum class StateCommand {
  on,
  off,
  commit,
  commit_schemes_quota_goals,
  update_schemes_stats,
  update_schemes_tried_regions,
  update_schemes_tried_bytes,
  clear_schemes_tried_regions,
  update_schemes_effective_quotas,
  update_tuned_intervals,
};

// Outcome of a state command: 0 or -errno. The tree turns 0 into the byte
// count of the write.
using CommandDone = std::function<void(int err)>;

// One staged kdamond directory, as the backend sees it. Results for a scheme
// index that is no longer staged (nr_schemes shrank, or nr_contexts became
// 0) are dropped silently, as the kernel does.
class StagedKdamond {
 public:
  virtual KdamondHandle handle() const = 0;
  // refresh_ms, read live (the kernel reads it at every refresh check).
  virtual uint32_t refresh_ms() const = 0;
  virtual int nr_contexts() const = 0;
  // Schemes staged under contexts/0 (0 without a context).
  virtual size_t nr_schemes() const = 0;

  // Engine parameters from contexts/0 (the kernel's context build). Returns
  // 0; -EINVAL when nr_contexts is not 1; or -ENOMEM when a scheme cannot be
  // built for a reason the tree can see (addr filter end < start,
  // hugepage_size filter min > max), which the kernel reports as ENOMEM. On
  // -ENOMEM `out` is still complete: the kernel validates operations,
  // attributes and targets (EINVAL) before it builds schemes, so a caller
  // checks those first. Filters come in installation order (core_filters,
  // ops_filters, filters); goals with target_value 0 are left out; region
  // bounds are passed as written (alignment is the engine's).
  virtual int build_params(damon::ContextParams& out) = 0;

  // stats/* (max_nr_snapshots is the user's and stays).
  virtual void set_scheme_stats(size_t scheme, const damon::SchemeStats& stats) = 0;
  // quotas/effective_bytes.
  virtual void set_effective_bytes(size_t scheme, uint64_t bytes) = 0;
  // tried_regions: replaces every region directory with 0..N-1 holding
  // `regions`; total_bytes becomes the sum of their sizes.
  virtual void set_tried_regions(size_t scheme, std::span<const damon::TriedRegion> regions) = 0;
  // tried_regions after update_schemes_tried_bytes: no region directories,
  // total_bytes as given.
  virtual void set_tried_bytes(size_t scheme, uint64_t total_bytes) = 0;
  // tried_regions emptied: no region directories, total_bytes 0.
  virtual void clear_tried_regions(size_t scheme) = 0;
  // contexts/0/monitoring_attrs/intervals/{sample_us,aggr_us}.
  virtual void set_tuned_intervals(uint64_t sample_us, uint64_t aggr_us) = 0;

 protected:
  ~StagedKdamond() = default;
};

// How a backend finds a kdamond again later (after an asynchronous
// completion, or for periodic refresh work).
class StagedKdamonds {
 public:
  // nullptr when the handle is stale.
  virtual StagedKdamond* find(KdamondHandle handle) = 0;

 protected:
  ~StagedKdamonds() = default;
};

class KdamondBackend {
 public:
  virtual ~KdamondBackend() = default;

  // Called once by the Tree's constructor; `staged` lives as long as the Tree.
  virtual void attach(StagedKdamonds& staged) = 0;

  // `state` reads "on" when true.
  virtual bool running(KdamondHandle kdamond) const = 0;
  // `pid`: the kdamond thread's id while running, else -1.
  virtual int pid(KdamondHandle kdamond) const = 0;
  // nr_kdamonds writes fail with EBUSY while true.
  virtual bool any_running() const = 0;

  // A `state` write. The tree holds the sysfs global lock until `done` is
  // called (exactly once, now or later on the tree's thread); meanwhile the
  // other locked operations (nr_* writes, state/pid reads, state writes) fail
  // with EBUSY, as in the kernel. Errors as in docs/state.md, "Commands".
  virtual void command(StagedKdamond& kdamond, StateCommand cmd, CommandDone done) = 0;

  // refresh_ms was written (the kernel reads it live: a new period takes
  // effect without `commit`).
  virtual void refresh_ms_changed(KdamondHandle kdamond, uint32_t refresh_ms) = 0;

  // nr_kdamonds was rewritten (nothing was running): every handle issued so
  // far is stale; drop what was kept for them (the kernel frees the stopped
  // contexts here).
  virtual void kdamonds_rebuilt() = 0;
};

}  // namespace damonfs::fs
