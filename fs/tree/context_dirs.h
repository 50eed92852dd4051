// contexts/C and everything below it except schemes (docs/interface.md).
#pragma once

#include <cstdint>

#include "engine/params.h"
#include "fs/tree/dir.h"
#include "fs/tree/probe_dirs.h"
#include "fs/tree/range_dir.h"
#include "fs/tree/scheme_dirs.h"

namespace damonfs::fs {

struct IntervalsGoalDir final : TypedDir<IntervalsGoalDir> {
  static const DirType& dir_type();

  uint64_t access_bp = 0;
  uint64_t aggrs = 0;
  uint64_t min_sample_us = 0;
  uint64_t max_sample_us = 0;
};

struct IntervalsDir final : TypedDir<IntervalsDir> {
  static const DirType& dir_type();

  uint64_t sample_us = 5000;
  uint64_t aggr_us = 100000;
  uint64_t update_us = 60000000;
  IntervalsGoalDir intervals_goal;
};

struct MonitoringAttrsDir final : TypedDir<MonitoringAttrsDir> {
  explicit MonitoringAttrsDir(TreeEnv& env) : probes(env) {}
  static const DirType& dir_type();

  IntervalsDir intervals;
  RangeDir nr_regions{10, 1000};
  ProbesDir probes;
};

struct RegionDir final : TypedDir<RegionDir> {
  static const DirType& dir_type();

  uint64_t start = 0;
  uint64_t end = 0;
};

struct RegionsDir final : TypedDir<RegionsDir> {
  explicit RegionsDir(TreeEnv& env);
  static const DirType& dir_type();

  Children<RegionDir> regions;
};

struct TargetDir final : TypedDir<TargetDir> {
  explicit TargetDir(TreeEnv& env) : regions(env) {}
  static const DirType& dir_type();

  int32_t pid_target = 0;
  bool obsolete_target = false;
  RegionsDir regions;
};

struct TargetsDir final : TypedDir<TargetsDir> {
  explicit TargetsDir(TreeEnv& env);
  static const DirType& dir_type();

  Children<TargetDir> targets;
};

struct ContextDir final : TypedDir<ContextDir> {
  explicit ContextDir(TreeEnv& env) : monitoring_attrs(env), targets(env), schemes(env) {}
  static const DirType& dir_type();

  damon::OpsId operations = damon::OpsId::vaddr;
  uint64_t addr_unit = 1;
  bool pause = false;
  MonitoringAttrsDir monitoring_attrs;
  TargetsDir targets;
  SchemesDir schemes;
};

}  // namespace damonfs::fs
