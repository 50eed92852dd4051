#include "engine/damos/validate_schemes.h"

#include <cerrno>
#include <string>

#include "engine/machine/memcg_path.h"

namespace damon {

namespace {

bool memcg_exists(const Machine& machine, const std::string& path) {
  const std::string key = memcg_path_key(path);
  if (key.empty()) return false;
  const std::vector<NodeMemory> nodes = machine.nodes();
  const int nid = nodes.empty() ? 0 : nodes.front().id;
  return machine.memcg_node_lru_bytes(key, nid).has_value();
}

bool buildable(const Filter& f, const Machine& machine) {
  switch (f.type) {
    case FilterType::memcg:
      return memcg_exists(machine, f.memcg_path);
    case FilterType::addr:
      return f.addr.start <= f.addr.end;
    case FilterType::hugepage_size:
      return f.min_sz <= f.max_sz;
    default:
      return true;
  }
}

bool goals_resolvable(const SchemeParams& s, const Machine& machine) {
  for (const QuotaGoal& g : s.quota.goals) {
    const bool memcg_metric =
        g.metric == GoalMetric::node_memcg_used_bp || g.metric == GoalMetric::node_memcg_free_bp;
    if (memcg_metric && !memcg_exists(machine, g.path)) return false;
  }
  return true;
}

}  // namespace

int validate_schemes(const std::vector<SchemeParams>& schemes, const Machine& machine) {
  for (const SchemeParams& s : schemes) {
    for (const Filter& f : s.filters)
      if (!buildable(f, machine)) return ENOMEM;
    if (!goals_resolvable(s, machine)) return ENOMEM;
  }
  return 0;
}

int validate_quota_goals(const std::vector<SchemeParams>& schemes, const Machine& machine) {
  for (const SchemeParams& s : schemes)
    if (!goals_resolvable(s, machine)) return EINVAL;
  return 0;
}

}  // namespace damon
