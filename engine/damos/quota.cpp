#include "engine/damos/quota.h"

#include <algorithm>

#include "engine/core/arith.h"
#include "engine/damos/arith.h"
#include "engine/damos/goal_tuner.h"
#include "engine/machine/machine.h"

namespace damon {

QuotaState::WindowChange QuotaState::roll_window(uint64_t now_ms, uint64_t reset_interval_ms) {
  if (window_start_ms_ && now_ms < *window_start_ms_ + reset_interval_ms) return {};
  WindowChange change{true, exhausted()};
  total_charged_sz_ += charged_;
  charged_ = 0;
  window_start_ms_ = now_ms;
  return change;
}

void QuotaState::update_esz(const Quota& q, uint64_t goal_score, uint64_t min_region_size) {
  limited_ = true;
  if (!q.ms && q.goals.empty()) {
    esz_ = q.bytes;
    return;
  }
  uint64_t esz = kUnlimited;
  if (!q.goals.empty()) {
    esz_bp_ = tune_esz_bp(q.goal_tuner, esz_bp_, goal_score, q.bytes);
    esz = esz_bp_ / 10000;
  }
  if (q.ms) {
    // Bytes per millisecond achieved so far; before any charge assume
    // 4 MiB/ms, the kernel's PAGE_SIZE x 1024.
    const uint64_t throughput = total_charged_us_
                                    ? arith::mult_frac(total_charged_sz_, 1000, total_charged_us_)
                                    : kPageSize * 1024;
    esz = std::min(saturating_mul(throughput, q.ms), esz);
    // (7.1) Never less than one region: a time quota always makes progress.
    esz = std::max(esz, min_region_size);
  }
  if (q.bytes && q.bytes < esz) esz = q.bytes;
  esz_ = esz;
}

uint64_t QuotaState::fit(uint64_t sz, uint64_t min_region_size) const {
  if (!limited_ || charged_ + sz <= esz_) return sz;
  return arith::align_down(esz_ - charged_, min_region_size);
}

void QuotaState::charge(const Quota& q, uint64_t sz, uint64_t applied, uint64_t elapsed_us) {
  total_charged_us_ += elapsed_us;
  // An action can report more than the region (a large folio reclaimed
  // whole); charge the region size then.
  if (!q.fail_charge_denom || applied > sz)
    charged_ += sz;
  else
    charged_ += applied + arith::mult_frac(sz - applied, q.fail_charge_num, q.fail_charge_denom);
}

void QuotaState::note_stop(size_t target_idx, uint64_t region_end) {
  if (exhausted()) stop_ = Stop{target_idx, region_end};
}

QuotaState::Resume QuotaState::resume(size_t target_idx, const Region& r, bool last_of_target,
                                      uint64_t min_region_size) {
  if (!stop_) return {};
  if (target_idx != stop_->target_idx) return {.skip = true};
  if (last_of_target) {
    stop_.reset();
    return {.skip = true};
  }
  if (r.ar.end <= stop_->addr) return {.skip = true};
  if (r.ar.start < stop_->addr) {
    uint64_t charged_part = arith::align_down(stop_->addr - r.ar.start, min_region_size);
    if (!charged_part) {
      if (r.size() <= min_region_size) return {.skip = true};
      charged_part = min_region_size;
    }
    stop_.reset();
    return {.split_at = charged_part};
  }
  stop_.reset();
  return {};
}

}  // namespace damon
