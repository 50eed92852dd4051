#include "fs/tree/context_dirs.h"

#include "fs/tree/attr.h"

namespace damonfs::fs {

using attr::choice;
using attr::flag;
using attr::nr;
using attr::number;
using attr::NumberRule;
using attr::subdir;

namespace {

// Every operations set the profile knows: damonfs implements all three, so
// none is missing the way an unconfigured kernel's would be.
FileSpec avail_operations() {
  return {"avail_operations",
          {5, 19},
          [](const Dir&, const TreeEnv& env, std::string& out) {
            out.clear();
            for (const auto& k : keywords::kOperations)
              if (env.abi.has(k.since)) out.append(k.word).push_back('\n');
            return 0;
          },
          {},
          {}};
}

}  // namespace

const DirType& IntervalsGoalDir::dir_type() {
  static const DirType t{
      .files = {number("access_bp", &IntervalsGoalDir::access_bp),
                number("aggrs", &IntervalsGoalDir::aggrs),
                number("min_sample_us", &IntervalsGoalDir::min_sample_us),
                number("max_sample_us", &IntervalsGoalDir::max_sample_us)},
  };
  return t;
}

const DirType& IntervalsDir::dir_type() {
  static const DirType t{
      .files = {number("sample_us", &IntervalsDir::sample_us),
                number("aggr_us", &IntervalsDir::aggr_us),
                number("update_us", &IntervalsDir::update_us)},
      .subdirs = {subdir("intervals_goal", &IntervalsDir::intervals_goal, {6, 15})},
  };
  return t;
}

const DirType& MonitoringAttrsDir::dir_type() {
  static const DirType t{
      .subdirs = {subdir("intervals", &MonitoringAttrsDir::intervals),
                  subdir("nr_regions", &MonitoringAttrsDir::nr_regions),
                  subdir("probes", &MonitoringAttrsDir::probes, {7, 2})},
  };
  return t;
}

const DirType& RegionDir::dir_type() {
  static const DirType t{
      .files = {number("start", &RegionDir::start), number("end", &RegionDir::end)},
  };
  return t;
}

RegionsDir::RegionsDir(TreeEnv& env)
    : regions(*this, env, [](size_t) { return std::make_unique<RegionDir>(); }) {}

const DirType& RegionsDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_regions", &RegionsDir::regions)},
      .numbered = attr::numbered(&RegionsDir::regions),
  };
  return t;
}

const DirType& TargetDir::dir_type() {
  static const DirType t{
      .files = {number("pid_target", &TargetDir::pid_target, kSysfsOrigin, NumberRule::einval_only),
                flag("obsolete_target", &TargetDir::obsolete_target, {6, 19})},
      .subdirs = {subdir("regions", &TargetDir::regions)},
  };
  return t;
}

TargetsDir::TargetsDir(TreeEnv& env)
    : targets(*this, env, [&env](size_t) { return std::make_unique<TargetDir>(env); }) {}

const DirType& TargetsDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_targets", &TargetsDir::targets)},
      .numbered = attr::numbered(&TargetsDir::targets),
  };
  return t;
}

const DirType& ContextDir::dir_type() {
  static const DirType t{
      .files = {avail_operations(),
                choice("operations", &ContextDir::operations,
                       KeywordTable<damon::OpsId>(keywords::kOperations)),
                number("addr_unit", &ContextDir::addr_unit, {6, 18}, NumberRule::nonzero),
                flag("pause", &ContextDir::pause, {7, 2})},
      .subdirs = {subdir("monitoring_attrs", &ContextDir::monitoring_attrs),
                  subdir("targets", &ContextDir::targets), subdir("schemes", &ContextDir::schemes)},
  };
  return t;
}

}  // namespace damonfs::fs
