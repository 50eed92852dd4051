#include "engine/core/validate.h"

#include <algorithm>
#include <bit>
#include <cerrno>

namespace damon {

namespace {

bool valid_intervals_goal(const MonitoringAttrs& a) {
  const IntervalsGoal& g = a.intervals_goal;
  if (g.aggrs == 0) return true;  // tuning disabled: the other fields are not looked at
  return g.min_sample_us <= g.max_sample_us && g.min_sample_us <= a.sample_us &&
         a.sample_us <= g.max_sample_us;
}

// The Linux 6.18.44 probe rejects a region whose start equals its end as
// well as a reversed one; overlap is prev.end > next.start on the values as
// written (before alignment).
bool valid_regions(const std::vector<AddrRange>& regions) {
  for (size_t i = 0; i < regions.size(); ++i) {
    if (regions[i].start >= regions[i].end) return false;
    if (i > 0 && regions[i - 1].end > regions[i].start) return false;
  }
  return true;
}

bool uses_node_eligible_goal(const ContextParams& p) {
  for (const SchemeParams& s : p.schemes)
    for (const QuotaGoal& g : s.quota.goals)
      if (g.metric == GoalMetric::node_eligible_mem_bp) return true;
  return false;
}

}  // namespace

bool valid_attrs(const MonitoringAttrs& a) {
  return valid_intervals_goal(a) && a.min_nr_regions >= 3 && a.min_nr_regions <= a.max_nr_regions &&
         a.sample_us <= a.aggr_us;
}

uint64_t min_region_size(const ContextParams& params) {
  // addr_unit is only honoured by paddr; 0 never reaches here from sysfs
  // (the file rejects it) but must not divide.
  if (params.ops != OpsId::paddr || params.addr_unit == 0) return kPageSize;
  return std::max<uint64_t>(kPageSize / params.addr_unit, 1);
}

int validate(const ContextParams& params, const Machine& machine) {
  if (!machine.supports(params.ops) || params.addr_unit == 0) return EINVAL;
  // Region alignment assumes a power-of-two unit (Linux 6.18.44 refuses
  // addr_unit 3 at `on`).
  if (!std::has_single_bit(min_region_size(params))) return EINVAL;
  if (!valid_attrs(params.attrs)) return EINVAL;
  const bool has_pid = params.ops != OpsId::paddr;
  if (!has_pid && params.targets.size() > 1) return EINVAL;
  for (const TargetParams& t : params.targets) {
    if (has_pid && (t.pid <= 0 || !machine.task_exists(t.pid))) return EINVAL;
    if (!valid_regions(t.regions)) return EINVAL;
  }
  if (params.ops != OpsId::paddr && uses_node_eligible_goal(params)) return EINVAL;
  return 0;
}

}  // namespace damon
