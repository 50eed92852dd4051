#include "engine/damos/goal_metrics.h"

#include <algorithm>
#include <optional>

#include "engine/core/arith.h"
#include "engine/damos/access_pattern.h"
#include "engine/machine/memcg_path.h"
#include "engine/machine/memory_node.h"

namespace damon {

uint64_t node_mem_bp(const Machine& machine, GoalMetric metric, int nid) {
  const bool used = metric == GoalMetric::node_mem_used_bp;
  const std::optional<NodeMemory> node = memory_node(machine, nid);
  if (!node) return used ? 0 : 10000;
  const uint64_t free_bytes = std::min(node->free_bytes, node->total_bytes);
  const uint64_t numerator = used ? node->total_bytes - free_bytes : free_bytes;
  return arith::mult_frac(numerator, 10000, node->total_bytes);
}

uint64_t node_memcg_bp(const Machine& machine, GoalMetric metric, int nid,
                       const std::string& path) {
  const bool used = metric == GoalMetric::node_memcg_used_bp;
  const std::optional<NodeMemory> node = memory_node(machine, nid);
  if (!node) return used ? 0 : 10000;
  const std::optional<uint64_t> lru = machine.memcg_node_lru_bytes(memcg_path_key(path), nid);
  if (!lru) return used ? 0 : 10000;
  const uint64_t memcg_bytes = std::min(*lru, node->total_bytes);
  const uint64_t numerator = used ? memcg_bytes : node->total_bytes - memcg_bytes;
  return arith::mult_frac(numerator, 10000, node->total_bytes);
}

uint64_t lru_ratio_bp(const Machine& machine, GoalMetric metric) {
  const uint64_t active = machine.active_lru_bytes();
  const uint64_t inactive = machine.inactive_lru_bytes();
  const uint64_t total = active + inactive;
  if (!total) return 0;
  return arith::mult_frac(metric == GoalMetric::active_mem_bp ? active : inactive, 10000, total);
}

uint64_t hugepage_mem_bp(const Machine& machine) {
  uint64_t used = 0;
  for (const NodeMemory& n : machine.nodes()) used += n.total_bytes - std::min(n.free_bytes, n.total_bytes);
  if (!used) return 0;
  return arith::mult_frac(std::min(machine.hugepage_bytes(), used), 10000, used);
}

uint64_t node_eligible_mem_bp(const MonitorView& view, const AccessPattern& pattern, int nid) {
  if (nid < 0) return 0;
  const std::vector<NodeMemory> nodes = view.machine.nodes();
  if (std::none_of(nodes.begin(), nodes.end(), [nid](const NodeMemory& n) { return n.id == nid; }))
    return 0;

  NodeBytes bytes;
  for (const Target& t : view.targets)
    for (const Region& r : t.regions)
      if (pattern_matches(pattern, r))
        view.ops.add_node_bytes(view.machine, view.addr_unit, t, r.ar, nid, bytes);
  if (!bytes.total) return 0;
  return arith::mult_frac(bytes.on_node, 10000, bytes.total);
}

void refresh_goal(LiveGoal& live, const MonitorView& view, const AccessPattern& pattern) {
  QuotaGoal& g = live.goal;
  switch (g.metric) {
    case GoalMetric::user_input:
      break;
    case GoalMetric::some_mem_psi_us: {
      const uint64_t now_total = view.machine.psi_some_total_us();
      g.current_value = now_total - live.last_psi_total;
      live.last_psi_total = now_total;
      break;
    }
    case GoalMetric::node_mem_used_bp:
    case GoalMetric::node_mem_free_bp:
      g.current_value = node_mem_bp(view.machine, g.metric, g.nid);
      break;
    case GoalMetric::node_memcg_used_bp:
    case GoalMetric::node_memcg_free_bp:
      g.current_value = node_memcg_bp(view.machine, g.metric, g.nid, g.path);
      break;
    case GoalMetric::active_mem_bp:
    case GoalMetric::inactive_mem_bp:
      g.current_value = lru_ratio_bp(view.machine, g.metric);
      break;
    case GoalMetric::node_eligible_mem_bp:
      g.current_value = node_eligible_mem_bp(view, pattern, g.nid);
      break;
    case GoalMetric::hugepage_mem_bp:
      g.current_value = hugepage_mem_bp(view.machine);
      break;
  }
}

}  // namespace damon
