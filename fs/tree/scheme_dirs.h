// contexts/C/schemes and everything below it (docs/interface.md).
#pragma once

#include <cstdint>
#include <string>

#include "engine/params.h"
#include "fs/tree/dir.h"
#include "fs/tree/range_dir.h"

namespace damonfs::fs {

struct AccessPatternDir final : TypedDir<AccessPatternDir> {
  static const DirType& dir_type();

  RangeDir sz{0, 0};
  RangeDir nr_accesses{0, 0};
  RangeDir age{0, 0};
};

struct WeightsDir final : TypedDir<WeightsDir> {
  static const DirType& dir_type();

  uint32_t sz_permil = 0;
  uint32_t nr_accesses_permil = 0;
  uint32_t age_permil = 0;
};

struct GoalDir final : TypedDir<GoalDir> {
  static const DirType& dir_type();

  damon::GoalMetric target_metric = damon::GoalMetric::user_input;
  uint64_t target_value = 0;
  uint64_t current_value = 0;
  int32_t nid = 0;
  std::string path;
};

struct GoalsDir final : TypedDir<GoalsDir> {
  explicit GoalsDir(TreeEnv& env);
  static const DirType& dir_type();

  Children<GoalDir> goals;
};

struct QuotasDir final : TypedDir<QuotasDir> {
  explicit QuotasDir(TreeEnv& env) : goals(env) {}
  static const DirType& dir_type();

  uint64_t ms = 0;
  uint64_t bytes = 0;
  uint64_t reset_interval_ms = 0;
  uint64_t effective_bytes = 0;
  damon::GoalTuner goal_tuner = damon::GoalTuner::consist;
  uint32_t fail_charge_num = 0;
  uint32_t fail_charge_denom = 0;
  WeightsDir weights;
  GoalsDir goals;
};

struct WatermarksDir final : TypedDir<WatermarksDir> {
  static const DirType& dir_type();

  damon::WatermarkMetric metric = damon::WatermarkMetric::none;
  uint64_t interval_us = 0;
  uint64_t high = 0;
  uint64_t mid = 0;
  uint64_t low = 0;
};

// Which filter types a filter directory accepts: core_filters only the
// core-layer types (addr, target), ops_filters only the others, the
// deprecated filters/ all of them.
enum class FilterLayer { any, core, ops };

struct FilterDir final : TypedDir<FilterDir> {
  explicit FilterDir(FilterLayer filter_layer) : layer(filter_layer) {}
  static const DirType& dir_type();

  const FilterLayer layer;
  damon::FilterType filter_type = damon::FilterType::anon;
  bool matching = false;
  bool allow = false;
  std::string memcg_path;
  uint64_t addr_start = 0;
  uint64_t addr_end = 0;
  uint64_t min = 0;
  uint64_t max = 0;
  int32_t damon_target_idx = 0;
};

struct FiltersDir final : TypedDir<FiltersDir> {
  FiltersDir(TreeEnv& env, FilterLayer layer);
  static const DirType& dir_type();

  Children<FilterDir> filters;
};

struct DestDir final : TypedDir<DestDir> {
  static const DirType& dir_type();

  uint32_t id = 0;
  uint32_t weight = 0;
};

struct DestsDir final : TypedDir<DestsDir> {
  explicit DestsDir(TreeEnv& env);
  static const DirType& dir_type();

  Children<DestDir> dests;
};

struct StatsDir final : TypedDir<StatsDir> {
  static const DirType& dir_type();

  uint64_t nr_tried = 0;
  uint64_t sz_tried = 0;
  uint64_t nr_applied = 0;
  uint64_t sz_applied = 0;
  uint64_t sz_ops_filter_passed = 0;
  uint64_t qt_exceeds = 0;
  uint64_t nr_snapshots = 0;
  uint64_t max_nr_snapshots = 0;
};

// tried_regions/R/probes/P (Linux 7.2): the region's hits of probe P.
struct TriedProbeDir final : TypedDir<TriedProbeDir> {
  static const DirType& dir_type();

  uint32_t hits = 0;
};

// tried_regions/R/probes: one numbered directory per installed probe.
struct TriedProbesDir final : TypedDir<TriedProbesDir> {
  explicit TriedProbesDir(TreeEnv& env);
  static const DirType& dir_type();

  Children<TriedProbeDir> probes;
};

struct TriedRegionDir final : TypedDir<TriedRegionDir> {
  explicit TriedRegionDir(TreeEnv& env) : probes(env) {}
  static const DirType& dir_type();

  uint64_t start = 0;
  uint64_t end = 0;
  uint32_t nr_accesses = 0;
  uint32_t age = 0;
  uint64_t sz_filter_passed = 0;
  TriedProbesDir probes;
};

struct TriedRegionsDir final : TypedDir<TriedRegionsDir> {
  explicit TriedRegionsDir(TreeEnv& env);
  static const DirType& dir_type();

  uint64_t total_bytes = 0;
  Children<TriedRegionDir> regions;
};

struct SchemeDir final : TypedDir<SchemeDir> {
  explicit SchemeDir(TreeEnv& env);
  static const DirType& dir_type();

  damon::Action action = damon::Action::stat;
  uint64_t apply_interval_us = 0;
  int32_t target_nid = -1;
  uint32_t target_order = 0;
  AccessPatternDir access_pattern;
  QuotasDir quotas;
  WatermarksDir watermarks;
  FiltersDir filters;
  FiltersDir core_filters;
  FiltersDir ops_filters;
  DestsDir dests;
  StatsDir stats;
  TriedRegionsDir tried_regions;
};

struct SchemesDir final : TypedDir<SchemesDir> {
  explicit SchemesDir(TreeEnv& env);
  static const DirType& dir_type();

  Children<SchemeDir> schemes;
};

}  // namespace damonfs::fs
