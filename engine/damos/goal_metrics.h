// Current values of quota goal metrics, read from the Machine (docs/engine.md,
// "Quota goals"). Values are in basis points except some_mem_psi_us.
#pragma once

#include <cstdint>
#include <string>

#include "engine/damos/monitor_view.h"
#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

// A goal as the running scheme keeps it: its parameters plus the PSI total
// seen at the previous evaluation (some_mem_psi_us is a delta).
struct LiveGoal {
  QuotaGoal goal;
  uint64_t last_psi_total = 0;
};

// Refreshes goal.current_value for its metric; user_input keeps the value
// the user committed. `pattern` is the owning scheme's access pattern (for
// node_eligible_mem_bp).
void refresh_goal(LiveGoal& live, const MonitorView& view, const AccessPattern& pattern);

// node_mem_used_bp / node_mem_free_bp. Invalid node: used 0, free 10000.
uint64_t node_mem_bp(const Machine& machine, GoalMetric metric, int nid);

// node_memcg_used_bp / node_memcg_free_bp. Invalid node or vanished memcg:
// used 0, free 10000.
uint64_t node_memcg_bp(const Machine& machine, GoalMetric metric, int nid, const std::string& path);

// active_mem_bp / inactive_mem_bp over the whole LRU.
uint64_t lru_ratio_bp(const Machine& machine, GoalMetric metric);

// hugepage_mem_bp (mm tree): memory in huge pages over used memory (all
// nodes' total minus free), x 10000; 0 when nothing is used. The kernel's
// DAMON_HUGEPAGE module describes its goal as this ratio ("total huge pages
// to system memory usage").
uint64_t hugepage_mem_bp(const Machine& machine);

// Bytes of the pattern-matching regions that sit on node `nid`, over all
// pattern-matching bytes, x 10000, as the operations set counts them
// (paddr only; the others count nothing), 0 for an offline node or when
// nothing matches.
uint64_t node_eligible_mem_bp(const MonitorView& view, const AccessPattern& pattern, int nid);

}  // namespace damon
