// A scheme's quota bookkeeping: charge windows, the effective size quota (esz),
// charging, and where to resume after the quota ran out (docs/engine.md,
// "Quotas"; the kernel's damos_adjust_quota). Pure arithmetic on the scheme's
// Quota parameters; the goal score comes from the caller.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/core/region.h"
#include "engine/params.h"

namespace damon {

class QuotaState {
 public:
  // A quota takes part only with a time or size limit or a goal.
  static bool configured(const Quota& q) { return q.ms || q.bytes || !q.goals.empty(); }

  // Effective size quota in core address units, once computed.
  uint64_t esz() const { return esz_; }
  uint64_t esz_bp() const { return esz_bp_; }
  uint64_t charged() const { return charged_; }
  // Whether esz limits the scheme: from the first window of a configured
  // quota on (a quota removed by a commit keeps its last esz, as in the
  // kernel). An esz of 0 then stops the scheme, as the temporal tuner's
  // "goal reached" intends (mm/damon/next; 6.18 and 7.1 treated it as
  // unlimited).
  bool limited() const { return limited_; }
  bool exhausted() const { return limited_ && charged_ >= esz_; }

  // Starts a new charge window when due: at the first call, then once
  // `reset_interval_ms` elapsed since the current window started. Returns
  // true when a window started; `exceeded` tells whether the window that
  // just ended had used up its quota (the qt_exceeds stat).
  struct WindowChange {
    bool started = false;
    bool exceeded = false;
  };
  WindowChange roll_window(uint64_t now_ms, uint64_t reset_interval_ms);

  // Recomputes esz at a window start. `goal_score` is used only when the
  // quota has goals; a time quota never gives less than `min_region_size`.
  void update_esz(const Quota& q, uint64_t goal_score, uint64_t min_region_size);

  // Bytes of a region of `sz` that may be processed: all of it when it fits
  // (or there is no limit), else the remaining quota aligned down to the
  // minimum region size (possibly 0). Only for a quota not exhausted.
  uint64_t fit(uint64_t sz, uint64_t min_region_size) const;

  // Accounts a processed region: `sz` tried, `applied` of it changed, in
  // `elapsed_us` of work. With fail_charge_denom set, bytes the action did
  // not manage to change are charged at num/denom.
  void charge(const Quota& q, uint64_t sz, uint64_t applied, uint64_t elapsed_us);

  // Remembers where charging stopped once the quota is used up, so the next
  // window resumes after it instead of starting over at the first region.
  void note_stop(size_t target_idx, uint64_t region_end);

  // The resume rule for a region offered while a stop point is pending:
  // skip it, or (split_at > 0) split it there and continue with the part
  // after the stop point.
  struct Resume {
    bool skip = false;
    uint64_t split_at = 0;
  };
  Resume resume(size_t target_idx, const Region& r, bool last_of_target, uint64_t min_region_size);
  // A stop point in a target that no longer exists (removed by a commit)
  // would make every other target be skipped forever: drop it.
  void drop_stop_beyond(size_t nr_targets) {
    if (stop_ && stop_->target_idx >= nr_targets) stop_.reset();
  }

  uint32_t min_score() const { return min_score_; }
  void set_min_score(uint32_t score) { min_score_ = score; }

 private:
  struct Stop {
    size_t target_idx;
    uint64_t addr;
  };

  uint64_t esz_ = 0;
  uint64_t esz_bp_ = 0;
  bool limited_ = false;
  uint64_t charged_ = 0;
  std::optional<uint64_t> window_start_ms_;
  uint64_t total_charged_sz_ = 0;
  uint64_t total_charged_us_ = 0;
  std::optional<Stop> stop_;
  uint32_t min_score_ = 0;
};

}  // namespace damon
