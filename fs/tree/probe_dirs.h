// contexts/C/monitoring_attrs/probes (Linux 7.2): data-attribute probes,
// each a list of filters that decides whether a sampled page counts as a
// hit for that probe.
#pragma once

#include <cstdint>
#include <string>

#include "engine/params.h"
#include "fs/tree/dir.h"

namespace damonfs::fs {

// The kernel's DAMON_MAX_PROBES: a larger nr_probes is EINVAL.
inline constexpr int32_t kMaxProbes = 4;

struct ProbeFilterDir final : TypedDir<ProbeFilterDir> {
  static const DirType& dir_type();

  damon::FilterType filter_type = damon::FilterType::anon;
  bool matching = false;
  bool allow = false;
  std::string path;
};

struct ProbeFiltersDir final : TypedDir<ProbeFiltersDir> {
  explicit ProbeFiltersDir(TreeEnv& env);
  static const DirType& dir_type();

  Children<ProbeFilterDir> filters;
};

struct ProbeDir final : TypedDir<ProbeDir> {
  explicit ProbeDir(TreeEnv& env) : filters(env) {}
  static const DirType& dir_type();

  uint32_t weight = 0;
  ProbeFiltersDir filters;
};

struct ProbesDir final : TypedDir<ProbesDir> {
  explicit ProbesDir(TreeEnv& env);
  static const DirType& dir_type();

  Children<ProbeDir> probes;
};

}  // namespace damonfs::fs
