#include "fs/tree/params_builder.h"

#include <cerrno>

namespace damonfs::fs {
namespace {

constexpr uint32_t kPmdOrder = 9;

damon::MonitoringAttrs build_attrs(const MonitoringAttrsDir& dir) {
  const IntervalsDir& iv = dir.intervals;
  const IntervalsGoalDir& goal = iv.intervals_goal;
  damon::MonitoringAttrs a;
  a.sample_us = iv.sample_us;
  a.aggr_us = iv.aggr_us;
  a.update_us = iv.update_us;
  a.intervals_goal = {goal.access_bp, goal.aggrs, goal.min_sample_us, goal.max_sample_us};
  a.min_nr_regions = dir.nr_regions.min;
  a.max_nr_regions = dir.nr_regions.max;
  return a;
}

std::vector<damon::ProbeParams> build_probes(ProbesDir& dir) {
  std::vector<damon::ProbeParams> out;
  for (size_t i = 0; i < dir.probes.size(); ++i) {
    ProbeDir& probe = dir.probes.at(i);
    damon::ProbeParams& p = out.emplace_back();
    p.weight = probe.weight;
    Children<ProbeFilterDir>& filters = probe.filters.filters;
    for (size_t j = 0; j < filters.size(); ++j) {
      const ProbeFilterDir& f = filters.at(j);
      p.filters.push_back({f.filter_type, f.matching, f.allow, f.path});
    }
  }
  return out;
}

damon::TargetParams build_target(TargetDir& dir) {
  damon::TargetParams t;
  t.pid = dir.pid_target;
  t.obsolete = dir.obsolete_target;
  Children<RegionDir>& regions = dir.regions.regions;
  for (size_t i = 0; i < regions.size(); ++i) {
    const RegionDir& r = regions.at(i);
    t.regions.push_back({r.start, r.end});
  }
  return t;
}

// False when the kernel would refuse to build this filter.
bool add_filters(FiltersDir& dir, std::vector<damon::Filter>& out) {
  bool buildable = true;
  for (size_t i = 0; i < dir.filters.size(); ++i) {
    const FilterDir& f = dir.filters.at(i);
    damon::Filter filter;
    filter.type = f.filter_type;
    filter.matching = f.matching;
    filter.allow = f.allow;
    filter.memcg_path = f.memcg_path;
    filter.addr = {f.addr_start, f.addr_end};
    filter.min_sz = f.min;
    filter.max_sz = f.max;
    filter.target_idx = f.damon_target_idx;
    if (f.filter_type == damon::FilterType::addr && f.addr_end < f.addr_start) buildable = false;
    if (f.filter_type == damon::FilterType::hugepage_size && f.min > f.max) buildable = false;
    out.push_back(std::move(filter));
  }
  return buildable;
}

damon::Quota build_quota(QuotasDir& dir) {
  damon::Quota q;
  q.ms = dir.ms;
  q.bytes = dir.bytes;
  q.reset_interval_ms = dir.reset_interval_ms;
  q.weight_sz = dir.weights.sz_permil;
  q.weight_nr_accesses = dir.weights.nr_accesses_permil;
  q.weight_age = dir.weights.age_permil;
  Children<GoalDir>& goals = dir.goals.goals;
  for (size_t i = 0; i < goals.size(); ++i) {
    const GoalDir& g = goals.at(i);
    if (g.target_value == 0) continue;  // the kernel ignores a goal without a target
    q.goals.push_back({g.target_metric, g.target_value, g.current_value, g.nid, g.path});
  }
  q.goal_tuner = dir.goal_tuner;
  q.fail_charge_num = dir.fail_charge_num;
  q.fail_charge_denom = dir.fail_charge_denom;
  return q;
}

// False when the kernel would refuse to build this scheme.
bool build_scheme(SchemeDir& dir, damon::SchemeParams& s) {
  const AccessPatternDir& p = dir.access_pattern;
  s.pattern = {p.sz.min, p.sz.max, p.nr_accesses.min, p.nr_accesses.max, p.age.min, p.age.max};
  s.action = dir.action;
  s.apply_interval_us = dir.apply_interval_us;
  s.quota = build_quota(dir.quotas);
  const WatermarksDir& w = dir.watermarks;
  s.watermarks = {w.metric, w.interval_us, w.high, w.mid, w.low};
  s.target_nid = dir.target_nid;
  s.target_order = dir.target_order;
  Children<DestDir>& dests = dir.dests.dests;
  for (size_t i = 0; i < dests.size(); ++i) {
    const DestDir& d = dests.at(i);
    s.dests.push_back({d.id, d.weight});
  }
  bool buildable = add_filters(dir.core_filters, s.filters);
  buildable = add_filters(dir.ops_filters, s.filters) && buildable;
  buildable = add_filters(dir.filters, s.filters) && buildable;
  s.max_nr_snapshots = dir.stats.max_nr_snapshots;
  // Base pages, or a large order below the PMD order (x86-64: 9).
  if (dir.target_order == 1 || dir.target_order >= kPmdOrder) buildable = false;
  return buildable;
}

}  // namespace

int build_context_params(ContextDir& ctx, damon::ContextParams& out) {
  out = {};
  out.ops = ctx.operations;
  out.addr_unit = ctx.addr_unit;
  out.pause = ctx.pause;
  out.attrs = build_attrs(ctx.monitoring_attrs);
  out.probes = build_probes(ctx.monitoring_attrs.probes);
  Children<TargetDir>& targets = ctx.targets.targets;
  for (size_t i = 0; i < targets.size(); ++i) out.targets.push_back(build_target(targets.at(i)));
  bool buildable = true;
  Children<SchemeDir>& schemes = ctx.schemes.schemes;
  for (size_t i = 0; i < schemes.size(); ++i) {
    damon::SchemeParams& s = out.schemes.emplace_back();
    buildable = build_scheme(schemes.at(i), s) && buildable;
  }
  return buildable ? 0 : -ENOMEM;
}

}  // namespace damonfs::fs
