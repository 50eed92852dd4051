// Which DAMON sysfs ABI the tree shows: a profile is a kernel version level,
// and every file, directory and keyword of the tree is tagged with the
// version that introduced it (its "since"). A profile shows exactly the
// items whose since is at or below its level, so supporting another kernel
// version is one row in the profile table (abi_profile.cpp), never a new
// code path.
#pragma once

#include <compare>
#include <span>
#include <string_view>

namespace damonfs::fs {

struct AbiVersion {
  unsigned major = 0;
  unsigned minor = 0;
  friend constexpr auto operator<=>(const AbiVersion&, const AbiVersion&) = default;
};

// The first DAMON sysfs interface (Linux 5.18): the since of the original files.
inline constexpr AbiVersion kSysfsOrigin{5, 18};
// Items merged in Andrew Morton's mm tree but in no mainline release yet.
inline constexpr AbiVersion kMmTree{255, 0};

// Behaviour that changed between releases, each as the release that
// changed it: a profile behaves the new way when it has that level.
//
// 6.14 moved the state commands onto damon_call()/damos_walk(). Before it
// every command but `on`/`off` is a request the running kdamond serves:
// without one (never started, or stopped) it is EINVAL, even
// clear_schemes_tried_regions; and a `commit` the kdamond cannot apply is
// still accepted (the write succeeds) but ends the kdamond. From 6.14 the
// writer gets the commit's error and the kdamond keeps running, commands
// to a stopped kdamond are ECANCELED and clearing tried regions needs none.
inline constexpr AbiVersion kDamonCallCommands{6, 14};
// 7.2 keeps min_nr_regions from the start: the core splits regions down to
// total size / min_nr_regions when a kdamond starts and after every merge,
// and vaddr's init no longer splits (the "strictly respect min_nr_regions"
// series, in the mm tree with 7.2's other items, not in 7.1).
inline constexpr AbiVersion kMinNrRegionsFromStart{7, 2};
// 7.3 reports tried regions' probe hits as pseudo moving sums over the last
// aggregation-long window (7.2: the running aggregation's count).
inline constexpr AbiVersion kProbeHitsMovingSum{7, 3};

class AbiProfile {
 public:
  constexpr AbiProfile(std::string_view name, AbiVersion level, std::string_view summary)
      : name_(name), level_(level), summary_(summary) {}

  // nullptr when no profile has that name.
  static const AbiProfile* find(std::string_view name);
  // The default: everything the engine implements.
  static const AbiProfile& latest();
  static std::span<const AbiProfile> all();

  std::string_view name() const { return name_; }
  std::string_view summary() const { return summary_; }
  bool has(AbiVersion since) const { return since <= level_; }

 private:
  std::string_view name_;
  AbiVersion level_;
  std::string_view summary_;
};

}  // namespace damonfs::fs
