#include "fs/tree/scheme_dirs.h"

#include "fs/tree/attr.h"

namespace damonfs::fs {

using attr::choice;
using attr::counter;
using attr::flag;
using attr::nr;
using attr::number;
using attr::NumberRule;
using attr::subdir;
using attr::text;

namespace {

bool layer_accepts(FilterLayer layer, damon::FilterType t) {
  switch (layer) {
    case FilterLayer::any:
      return true;
    case FilterLayer::core:
      return damon::is_core_filter(t);
    case FilterLayer::ops:
      return !damon::is_core_filter(t);
  }
  return false;
}

}  // namespace

const DirType& AccessPatternDir::dir_type() {
  static const DirType t{
      .subdirs = {subdir("sz", &AccessPatternDir::sz),
                  subdir("nr_accesses", &AccessPatternDir::nr_accesses),
                  subdir("age", &AccessPatternDir::age)},
  };
  return t;
}

const DirType& WeightsDir::dir_type() {
  static const DirType t{
      .files = {number("sz_permil", &WeightsDir::sz_permil),
                number("nr_accesses_permil", &WeightsDir::nr_accesses_permil),
                number("age_permil", &WeightsDir::age_permil)},
  };
  return t;
}

const DirType& GoalDir::dir_type() {
  static const DirType t{
      .files = {choice("target_metric", &GoalDir::target_metric,
                       KeywordTable<damon::GoalMetric>(keywords::kGoalMetrics), {6, 9}),
                number("target_value", &GoalDir::target_value, {6, 8}),
                number("current_value", &GoalDir::current_value, {6, 8}),
                number("nid", &GoalDir::nid, {6, 16}), text("path", &GoalDir::path, {6, 19})},
  };
  return t;
}

GoalsDir::GoalsDir(TreeEnv& env)
    : goals(*this, env, [](size_t) { return std::make_unique<GoalDir>(); }) {}

const DirType& GoalsDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_goals", &GoalsDir::goals)},
      .numbered = attr::numbered(&GoalsDir::goals),
  };
  return t;
}

const DirType& QuotasDir::dir_type() {
  static const DirType t{
      .files = {number("ms", &QuotasDir::ms, kSysfsOrigin, NumberRule::einval_only),
                number("bytes", &QuotasDir::bytes, kSysfsOrigin, NumberRule::einval_only),
                number("reset_interval_ms", &QuotasDir::reset_interval_ms, kSysfsOrigin,
                       NumberRule::einval_only),
                counter("effective_bytes", &QuotasDir::effective_bytes, {6, 9}),
                choice("goal_tuner", &QuotasDir::goal_tuner,
                       KeywordTable<damon::GoalTuner>(keywords::kGoalTuners), {7, 1}),
                number("fail_charge_num", &QuotasDir::fail_charge_num, {7, 2}),
                number("fail_charge_denom", &QuotasDir::fail_charge_denom, {7, 2})},
      .subdirs = {subdir("weights", &QuotasDir::weights),
                  subdir("goals", &QuotasDir::goals, {6, 8})},
  };
  return t;
}

const DirType& WatermarksDir::dir_type() {
  static const DirType t{
      .files = {choice("metric", &WatermarksDir::metric,
                       KeywordTable<damon::WatermarkMetric>(keywords::kWatermarkMetrics)),
                number("interval_us", &WatermarksDir::interval_us),
                number("high", &WatermarksDir::high), number("mid", &WatermarksDir::mid),
                number("low", &WatermarksDir::low)},
  };
  return t;
}

const DirType& FilterDir::dir_type() {
  static const DirType t{
      .files = {choice<FilterDir, damon::FilterType>(
                    "type", &FilterDir::filter_type,
                    KeywordTable<damon::FilterType>(keywords::kFilterTypes), {6, 3},
                    [](const FilterDir& f, damon::FilterType type) {
                      return layer_accepts(f.layer, type);
                    }),
                flag("matching", &FilterDir::matching, {6, 3}),
                flag("allow", &FilterDir::allow, {6, 14}),
                text("memcg_path", &FilterDir::memcg_path, {6, 3}),
                number("addr_start", &FilterDir::addr_start, {6, 6}),
                number("addr_end", &FilterDir::addr_end, {6, 6}),
                number("min", &FilterDir::min, {6, 15}), number("max", &FilterDir::max, {6, 15}),
                number("damon_target_idx", &FilterDir::damon_target_idx, {6, 6})},
  };
  return t;
}

FiltersDir::FiltersDir(TreeEnv& env, FilterLayer layer)
    : filters(*this, env, [layer](size_t) { return std::make_unique<FilterDir>(layer); }) {}

const DirType& FiltersDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_filters", &FiltersDir::filters)},
      .numbered = attr::numbered(&FiltersDir::filters),
  };
  return t;
}

const DirType& DestDir::dir_type() {
  static const DirType t{
      .files = {number("id", &DestDir::id), number("weight", &DestDir::weight)},
  };
  return t;
}

DestsDir::DestsDir(TreeEnv& env)
    : dests(*this, env, [](size_t) { return std::make_unique<DestDir>(); }) {}

const DirType& DestsDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_dests", &DestsDir::dests)},
      .numbered = attr::numbered(&DestsDir::dests),
  };
  return t;
}

const DirType& StatsDir::dir_type() {
  static const DirType t{
      .files = {counter("nr_tried", &StatsDir::nr_tried), counter("sz_tried", &StatsDir::sz_tried),
                counter("nr_applied", &StatsDir::nr_applied),
                counter("sz_applied", &StatsDir::sz_applied),
                counter("sz_ops_filter_passed", &StatsDir::sz_ops_filter_passed, {6, 14}),
                counter("qt_exceeds", &StatsDir::qt_exceeds),
                counter("nr_snapshots", &StatsDir::nr_snapshots, {7, 0}),
                number("max_nr_snapshots", &StatsDir::max_nr_snapshots, {7, 0})},
  };
  return t;
}

const DirType& TriedProbeDir::dir_type() {
  static const DirType t{.files = {counter("hits", &TriedProbeDir::hits)}};
  return t;
}

TriedProbesDir::TriedProbesDir(TreeEnv& env)
    : probes(*this, env, [](size_t) { return std::make_unique<TriedProbeDir>(); }) {}

const DirType& TriedProbesDir::dir_type() {
  static const DirType t{.numbered = attr::numbered(&TriedProbesDir::probes)};
  return t;
}

const DirType& TriedRegionDir::dir_type() {
  static const DirType t{
      .files = {counter("start", &TriedRegionDir::start), counter("end", &TriedRegionDir::end),
                counter("nr_accesses", &TriedRegionDir::nr_accesses),
                counter("age", &TriedRegionDir::age),
                counter("sz_filter_passed", &TriedRegionDir::sz_filter_passed, {6, 14})},
      .subdirs = {subdir("probes", &TriedRegionDir::probes, {7, 2})},
  };
  return t;
}

TriedRegionsDir::TriedRegionsDir(TreeEnv& env)
    : regions(*this, env, [&env](size_t) { return std::make_unique<TriedRegionDir>(env); }) {}

const DirType& TriedRegionsDir::dir_type() {
  static const DirType t{
      .files = {counter("total_bytes", &TriedRegionsDir::total_bytes, {6, 6})},
      .numbered = attr::numbered(&TriedRegionsDir::regions),
  };
  return t;
}

SchemeDir::SchemeDir(TreeEnv& env)
    : quotas(env),
      filters(env, FilterLayer::any),
      core_filters(env, FilterLayer::core),
      ops_filters(env, FilterLayer::ops),
      dests(env),
      tried_regions(env) {}

const DirType& SchemeDir::dir_type() {
  static const DirType t{
      .files = {choice("action", &SchemeDir::action,
                       KeywordTable<damon::Action>(keywords::kActions)),
                number("apply_interval_us", &SchemeDir::apply_interval_us, {6, 7}),
                number("target_nid", &SchemeDir::target_nid, {6, 11}),
                number("target_order", &SchemeDir::target_order, kMmTree)},
      .subdirs = {subdir("access_pattern", &SchemeDir::access_pattern),
                  subdir("quotas", &SchemeDir::quotas),
                  subdir("watermarks", &SchemeDir::watermarks),
                  subdir("filters", &SchemeDir::filters, {6, 3}),
                  subdir("core_filters", &SchemeDir::core_filters, {6, 15}),
                  subdir("ops_filters", &SchemeDir::ops_filters, {6, 15}),
                  subdir("dests", &SchemeDir::dests, {6, 17}), subdir("stats", &SchemeDir::stats),
                  subdir("tried_regions", &SchemeDir::tried_regions, {6, 2})},
  };
  return t;
}

SchemesDir::SchemesDir(TreeEnv& env)
    : schemes(*this, env, [&env](size_t) { return std::make_unique<SchemeDir>(env); }) {}

const DirType& SchemesDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_schemes", &SchemesDir::schemes)},
      .numbered = attr::numbered(&SchemesDir::schemes),
  };
  return t;
}

}  // namespace damonfs::fs
