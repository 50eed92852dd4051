#include "fs/tree/probe_dirs.h"

#include "fs/tree/attr.h"

namespace damonfs::fs {

using attr::choice;
using attr::flag;
using attr::nr;
using attr::number;
using attr::subdir;
using attr::text;

const DirType& ProbeFilterDir::dir_type() {
  static const DirType t{
      .files = {choice("type", &ProbeFilterDir::filter_type,
                       KeywordTable<damon::FilterType>(keywords::kProbeFilterTypes)),
                flag("matching", &ProbeFilterDir::matching),
                flag("allow", &ProbeFilterDir::allow), text("path", &ProbeFilterDir::path)},
  };
  return t;
}

ProbeFiltersDir::ProbeFiltersDir(TreeEnv& env)
    : filters(*this, env, [](size_t) { return std::make_unique<ProbeFilterDir>(); }) {}

const DirType& ProbeFiltersDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_filters", &ProbeFiltersDir::filters)},
      .numbered = attr::numbered(&ProbeFiltersDir::filters),
  };
  return t;
}

const DirType& ProbeDir::dir_type() {
  static const DirType t{
      .files = {number("weight", &ProbeDir::weight, {7, 3})},
      .subdirs = {subdir("filters", &ProbeDir::filters)},
  };
  return t;
}

ProbesDir::ProbesDir(TreeEnv& env)
    : probes(*this, env, [&env](size_t) { return std::make_unique<ProbeDir>(env); }) {}

const DirType& ProbesDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_probes", &ProbesDir::probes, {.max = kMaxProbes})},
      .numbered = attr::numbered(&ProbesDir::probes),
  };
  return t;
}

}  // namespace damonfs::fs
