#include "fs/tree/abi_profile.h"

#include <array>

namespace damonfs::fs {
namespace {

// Every kernel release with the DAMON sysfs interface, newest first. What a
// profile shows follows from its level alone: the since tags of the tree
// (context_dirs.cpp, scheme_dirs.cpp, kdamond_dirs.cpp) and of the keywords
// (keywords.h) carry the history, checked against each release's
// mm/damon/sysfs*.c and Documentation/ABI/testing/sysfs-kernel-mm-damon.
constexpr std::array kProfiles{
    AbiProfile{"latest", kMmTree,
               "Linux 7.3 plus what the mm tree has merged since (the default)"},
    AbiProfile{"7.3", AbiVersion{7, 3}, "Linux 7.3: probe weights, probe hits as moving sums"},
    AbiProfile{"7.2", AbiVersion{7, 2},
               "Linux 7.2: collapse, pause, fail_charge_*, node_eligible_mem_bp, probes"},
    AbiProfile{"7.1", AbiVersion{7, 1}, "Linux 7.1: quotas/goal_tuner"},
    AbiProfile{"7.0", AbiVersion{7, 0}, "Linux 7.0: nr_snapshots, active/inactive_mem_bp"},
    AbiProfile{"6.19", AbiVersion{6, 19}, "Linux 6.19: obsolete_target, memcg quota goals"},
    AbiProfile{"6.18", AbiVersion{6, 18}, "Linux 6.18: addr_unit"},
    AbiProfile{"6.17", AbiVersion{6, 17}, "Linux 6.17: refresh_ms, dests/"},
    AbiProfile{"6.16", AbiVersion{6, 16}, "Linux 6.16: node_mem_{used,free}_bp goals"},
    AbiProfile{"6.15", AbiVersion{6, 15},
               "Linux 6.15: core_filters/, ops_filters/, intervals_goal/"},
    AbiProfile{"6.14", AbiVersion{6, 14}, "Linux 6.14: filter allow, sz_*filter_passed"},
    AbiProfile{"6.13", AbiVersion{6, 13}, "Linux 6.13"},
    AbiProfile{"6.12", AbiVersion{6, 12}, "Linux 6.12"},
    AbiProfile{"6.11", AbiVersion{6, 11}, "Linux 6.11: migrate_hot/cold, target_nid"},
    AbiProfile{"6.10", AbiVersion{6, 10}, "Linux 6.10: young filter"},
    AbiProfile{"6.9", AbiVersion{6, 9}, "Linux 6.9: goal target_metric, effective_bytes"},
    AbiProfile{"6.8", AbiVersion{6, 8}, "Linux 6.8: quota goals/"},
    AbiProfile{"6.7", AbiVersion{6, 7}, "Linux 6.7: apply_interval_us"},
    AbiProfile{"6.6", AbiVersion{6, 6}, "Linux 6.6: addr/target filters, total_bytes"},
    AbiProfile{"6.5", AbiVersion{6, 5}, "Linux 6.5"},
    AbiProfile{"6.4", AbiVersion{6, 4}, "Linux 6.4"},
    AbiProfile{"6.3", AbiVersion{6, 3}, "Linux 6.3: filters/ (anon, memcg)"},
    AbiProfile{"6.2", AbiVersion{6, 2}, "Linux 6.2: tried_regions/"},
    AbiProfile{"6.1", AbiVersion{6, 1}, "Linux 6.1"},
    AbiProfile{"6.0", AbiVersion{6, 0}, "Linux 6.0: lru_prio, lru_deprio"},
    AbiProfile{"5.19", AbiVersion{5, 19}, "Linux 5.19: avail_operations, fvaddr, commit"},
    AbiProfile{"5.18", AbiVersion{5, 18}, "Linux 5.18: the first DAMON sysfs interface"},
};

}  // namespace

const AbiProfile* AbiProfile::find(std::string_view name) {
  for (const AbiProfile& p : kProfiles)
    if (p.name() == name) return &p;
  return nullptr;
}

const AbiProfile& AbiProfile::latest() { return kProfiles[0]; }

std::span<const AbiProfile> AbiProfile::all() { return kProfiles; }

}  // namespace damonfs::fs
