#include "fs/tree/kdamond_dirs.h"

#include <cerrno>

#include "fs/tree/attr.h"
#include "fs/tree/params_builder.h"

namespace damonfs::fs {

using attr::nr;
using attr::number;
using attr::subdir;

namespace {

// `state`: what the backend says, a command for it to run. The tree owns
// the sysfs global lock around commands and the keyword check.
FileSpec state_file() {
  return {"state",
          kSysfsOrigin,
          [](const Dir& d, const TreeEnv& env, std::string& out) {
            if (env.sysfs_locked) return -EBUSY;
            const auto& kdamond = static_cast<const KdamondDir&>(d);
            out = env.backend.running(kdamond.handle()) ? "on\n" : "off\n";
            return 0;
          },
          {},
          [](Dir& d, TreeEnv& env, std::string_view in, CommandDone done) {
            if (env.sysfs_locked) return done(-EBUSY);
            const Keyword<StateCommand>* cmd =
                match_keyword(KeywordTable<StateCommand>(keywords::kStateCommands), in, env.abi);
            if (!cmd) return done(-EINVAL);
            env.sysfs_locked = true;
            env.backend.command(static_cast<KdamondDir&>(d), cmd->value,
                                [&env, done = std::move(done)](int err) {
                                  env.sysfs_locked = false;
                                  done(err);
                                });
          }};
}

FileSpec pid_file() {
  return {"pid",
          kSysfsOrigin,
          [](const Dir& d, const TreeEnv& env, std::string& out) {
            if (env.sysfs_locked) return -EBUSY;
            out = attr::line(env.backend.pid(static_cast<const KdamondDir&>(d).handle()));
            return 0;
          },
          {},
          {}};
}

// refresh_ms: a u32 the backend hears about at once.
FileSpec refresh_ms_file() {
  FileSpec spec = number("refresh_ms", &KdamondDir::refresh_interval_ms, {6, 17});
  spec.store = [parse = spec.store](Dir& d, TreeEnv& env, std::string_view in) {
    if (int err = parse(d, env, in)) return err;
    const auto& kdamond = static_cast<const KdamondDir&>(d);
    env.backend.refresh_ms_changed(kdamond.handle(), kdamond.refresh_interval_ms);
    return 0;
  };
  return spec;
}

}  // namespace

ContextsDir::ContextsDir(TreeEnv& env)
    : contexts(*this, env, [&env](size_t) { return std::make_unique<ContextDir>(env); }) {}

const DirType& ContextsDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_contexts", &ContextsDir::contexts, {.max = 1})},
      .numbered = attr::numbered(&ContextsDir::contexts),
  };
  return t;
}

KdamondDir::KdamondDir(TreeEnv& env, KdamondHandle handle) : contexts(env), handle_(handle) {}

const DirType& KdamondDir::dir_type() {
  static const DirType t{
      .files = {state_file(), pid_file(), refresh_ms_file()},
      .subdirs = {subdir("contexts", &KdamondDir::contexts)},
  };
  return t;
}

ContextDir* KdamondDir::context() {
  return contexts.contexts.size() == 1 ? &contexts.contexts.at(0) : nullptr;
}

SchemeDir* KdamondDir::scheme(size_t index) {
  ContextDir* ctx = context();
  if (!ctx || index >= ctx->schemes.schemes.size()) return nullptr;
  return &ctx->schemes.schemes.at(index);
}

size_t KdamondDir::nr_schemes() const {
  const Children<ContextDir>& list = contexts.contexts;
  if (list.size() != 1) return 0;
  // An uncreated context is a fresh one, without schemes.
  const auto* ctx = static_cast<const ContextDir*>(list.created(0));
  return ctx ? ctx->schemes.schemes.size() : 0;
}

int KdamondDir::build_params(damon::ContextParams& out) {
  ContextDir* ctx = context();
  if (!ctx) return -EINVAL;
  return build_context_params(*ctx, out);
}

void KdamondDir::set_scheme_stats(size_t index, const damon::SchemeStats& s) {
  SchemeDir* sc = scheme(index);
  if (!sc) return;
  StatsDir& st = sc->stats;
  st.nr_tried = s.nr_tried;
  st.sz_tried = s.sz_tried;
  st.nr_applied = s.nr_applied;
  st.sz_applied = s.sz_applied;
  st.sz_ops_filter_passed = s.sz_ops_filter_passed;
  st.qt_exceeds = s.qt_exceeds;
  st.nr_snapshots = s.nr_snapshots;
}

void KdamondDir::set_effective_bytes(size_t index, uint64_t bytes) {
  if (SchemeDir* sc = scheme(index)) sc->quotas.effective_bytes = bytes;
}

void KdamondDir::set_tried_regions(size_t index, std::span<const damon::TriedRegion> regions) {
  SchemeDir* sc = scheme(index);
  if (!sc) return;
  TriedRegionsDir& tried = sc->tried_regions;
  tried.total_bytes = 0;
  if (tried.regions.rebuild(regions.size()) != 0) return;
  for (size_t i = 0; i < regions.size(); ++i) {
    const damon::TriedRegion& r = regions[i];
    TriedRegionDir& dir = tried.regions.at(i);
    dir.start = r.start;
    dir.end = r.end;
    dir.nr_accesses = r.nr_accesses;
    dir.age = r.age;
    dir.sz_filter_passed = r.sz_filter_passed;
    // The region directory is fresh: it has no probe directories to drop.
    if (!r.probe_hits.empty() && dir.probes.probes.rebuild(r.probe_hits.size()) == 0)
      for (size_t p = 0; p < r.probe_hits.size(); ++p) dir.probes.probes.at(p).hits = r.probe_hits[p];
    tried.total_bytes += r.end - r.start;
  }
}

void KdamondDir::set_tried_bytes(size_t index, uint64_t total_bytes) {
  SchemeDir* sc = scheme(index);
  if (!sc) return;
  sc->tried_regions.regions.rebuild(0);
  sc->tried_regions.total_bytes = total_bytes;
}

void KdamondDir::clear_tried_regions(size_t index) { set_tried_bytes(index, 0); }

void KdamondDir::set_tuned_intervals(uint64_t sample_us, uint64_t aggr_us) {
  ContextDir* ctx = context();
  if (!ctx) return;
  ctx->monitoring_attrs.intervals.sample_us = sample_us;
  ctx->monitoring_attrs.intervals.aggr_us = aggr_us;
}

KdamondsDir::KdamondsDir(TreeEnv& env)
    : kdamonds(*this, env, [this, &env](size_t index) {
        return std::make_unique<KdamondDir>(
            env, KdamondHandle{kdamonds.generation(), static_cast<uint32_t>(index)});
      }) {}

KdamondDir* KdamondsDir::find(KdamondHandle handle) {
  if (handle.generation != kdamonds.generation() || handle.index >= kdamonds.size()) return nullptr;
  return &kdamonds.at(handle.index);
}

const DirType& KdamondsDir::dir_type() {
  static const DirType t{
      .files = {nr("nr_kdamonds", &KdamondsDir::kdamonds,
                   {.busy_while_running = true,
                    .rebuilt = [](TreeEnv& env) { env.backend.kdamonds_rebuilt(); }})},
      .numbered = attr::numbered(&KdamondsDir::kdamonds),
  };
  return t;
}

const DirType& AdminDir::dir_type() {
  static const DirType t{.subdirs = {subdir("kdamonds", &AdminDir::kdamonds)}};
  return t;
}

const DirType& RootDir::dir_type() {
  static const DirType t{
      .subdirs = {subdir("admin", &RootDir::admin)},
      .runtime = [](Dir& d) -> RuntimeEntries& { return static_cast<RootDir&>(d).info; },
  };
  return t;
}

}  // namespace damonfs::fs
