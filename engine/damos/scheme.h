// One running DAMOS scheme: its committed parameters plus the live state
// the kernel keeps in struct damos.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/damos/filters.h"
#include "engine/damos/goal_metrics.h"
#include "engine/damos/quota.h"
#include "engine/damos/watermarks.h"
#include "engine/params.h"

namespace damon {

struct Scheme {
  explicit Scheme(const SchemeParams& p);

  // Online update (sysfs `commit`): takes every parameter of `p` and keeps
  // stats, quota charge state, esz and goal history. Goals are matched by
  // index.
  void commit(const SchemeParams& p);
  // commit_schemes_quota_goals: the goal list only.
  void commit_goals(const std::vector<QuotaGoal>& goals);

  SchemeParams params;
  FilterSet filters;
  std::vector<LiveGoal> goals;
  QuotaState quota;
  WatermarkState wmarks;
  SchemeStats stats;
  uint64_t next_apply_sample = 0;
  bool walk_completed = false;
  // Last folio handled in the current apply round (see apply_action.h).
  std::optional<uint64_t> last_folio;
};

}  // namespace damon
