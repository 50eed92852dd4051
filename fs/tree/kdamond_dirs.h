// The top of the tree: the mount root (/sys/kernel/mm/damon), admin/,
// kdamonds/, kdamonds/K (the staged kdamond the backend works with) and
// contexts/ (docs/interface.md).
#pragma once

#include <cstdint>
#include <span>

#include "fs/tree/context_dirs.h"
#include "fs/tree/dir.h"
#include "fs/tree/info_dirs.h"
#include "fs/tree/kdamond_backend.h"

namespace damonfs::fs {

struct ContextsDir final : TypedDir<ContextsDir> {
  explicit ContextsDir(TreeEnv& env);
  static const DirType& dir_type();

  Children<ContextDir> contexts;
};

class KdamondDir final : public TypedDir<KdamondDir>, public StagedKdamond {
 public:
  KdamondDir(TreeEnv& env, KdamondHandle handle);
  static const DirType& dir_type();

  // StagedKdamond
  KdamondHandle handle() const override { return handle_; }
  uint32_t refresh_ms() const override { return refresh_interval_ms; }
  int nr_contexts() const override { return static_cast<int>(contexts.contexts.size()); }
  size_t nr_schemes() const override;
  int build_params(damon::ContextParams& out) override;
  void set_scheme_stats(size_t scheme, const damon::SchemeStats& stats) override;
  void set_effective_bytes(size_t scheme, uint64_t bytes) override;
  void set_tried_regions(size_t scheme, std::span<const damon::TriedRegion> regions) override;
  void set_tried_bytes(size_t scheme, uint64_t total_bytes) override;
  void clear_tried_regions(size_t scheme) override;
  void set_tuned_intervals(uint64_t sample_us, uint64_t aggr_us) override;

  uint32_t refresh_interval_ms = 0;  // the refresh_ms file
  ContextsDir contexts;

 private:
  // contexts/0, or nullptr when nr_contexts is 0.
  ContextDir* context();
  SchemeDir* scheme(size_t index);

  KdamondHandle handle_;
};

struct KdamondsDir final : TypedDir<KdamondsDir> {
  explicit KdamondsDir(TreeEnv& env);
  static const DirType& dir_type();

  // nullptr when `handle` names a kdamond an nr_kdamonds write destroyed.
  KdamondDir* find(KdamondHandle handle);

  Children<KdamondDir> kdamonds;
};

struct AdminDir final : TypedDir<AdminDir> {
  explicit AdminDir(TreeEnv& env) : kdamonds(env) {}
  static const DirType& dir_type();

  KdamondsDir kdamonds;
};

// The mount root, standing for /sys/kernel/mm/damon; beside admin/, the
// read-only damonfs/ once an info provider is attached.
struct RootDir final : TypedDir<RootDir> {
  explicit RootDir(TreeEnv& env)
      : admin(env), info(env, *this, InfoEntries::Place::mount_root, {}) {}
  static const DirType& dir_type();

  AdminDir admin;
  InfoEntries info;
};

}  // namespace damonfs::fs
