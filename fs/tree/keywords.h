// The keyword sets of the keyword files, each word tagged with the kernel
// version that introduced it (docs/abi-profiles.md). Files accept a word only
// when the mounted ABI profile has it.
#pragma once

#include <span>
#include <string_view>

#include "engine/params.h"
#include "fs/tree/abi_profile.h"
#include "fs/tree/kdamond_backend.h"
#include "fs/tree/kernel_parse.h"

namespace damonfs::fs {

template <class E>
struct Keyword {
  std::string_view word;
  E value;
  AbiVersion since = kSysfsOrigin;
};

template <class E>
using KeywordTable = std::span<const Keyword<E>>;

// The entry `input` names (sysfs_streq) among those the profile has.
template <class E>
const Keyword<E>* match_keyword(KeywordTable<E> table, std::string_view input,
                                const AbiProfile& abi) {
  for (const Keyword<E>& k : table)
    if (abi.has(k.since) && kernel::sysfs_streq(input, k.word)) return &k;
  return nullptr;
}

template <class E>
std::string_view keyword_of(KeywordTable<E> table, E value) {
  for (const Keyword<E>& k : table)
    if (k.value == value) return k.word;
  return {};
}

namespace keywords {

using damon::Action;
using damon::FilterType;
using damon::GoalMetric;
using damon::GoalTuner;
using damon::OpsId;
using damon::WatermarkMetric;

inline constexpr Keyword<OpsId> kOperations[] = {
    {"vaddr", OpsId::vaddr},
    {"fvaddr", OpsId::fvaddr, {5, 19}},
    {"paddr", OpsId::paddr},
};

inline constexpr Keyword<Action> kActions[] = {
    {"willneed", Action::willneed},
    {"cold", Action::cold},
    {"pageout", Action::pageout},
    {"hugepage", Action::hugepage},
    {"nohugepage", Action::nohugepage},
    {"collapse", Action::collapse, {7, 2}},
    {"split", Action::split, kMmTree},
    {"lru_prio", Action::lru_prio, {6, 0}},
    {"lru_deprio", Action::lru_deprio, {6, 0}},
    {"migrate_hot", Action::migrate_hot, {6, 11}},
    {"migrate_cold", Action::migrate_cold, {6, 11}},
    {"stat", Action::stat},
};

inline constexpr Keyword<FilterType> kFilterTypes[] = {
    {"anon", FilterType::anon, {6, 3}},
    {"active", FilterType::active, {6, 15}},
    {"memcg", FilterType::memcg, {6, 3}},
    {"young", FilterType::young, {6, 10}},
    {"hugepage_size", FilterType::hugepage_size, {6, 15}},
    {"unmapped", FilterType::unmapped, {6, 15}},
    {"addr", FilterType::addr, {6, 6}},
    {"target", FilterType::target, {6, 6}},
};

// The filter types of a data-attribute probe (monitoring_attrs/probes).
inline constexpr Keyword<FilterType> kProbeFilterTypes[] = {
    {"anon", FilterType::anon},
    {"memcg", FilterType::memcg},
};

inline constexpr Keyword<WatermarkMetric> kWatermarkMetrics[] = {
    {"none", WatermarkMetric::none},
    {"free_mem_rate", WatermarkMetric::free_mem_rate},
};

inline constexpr Keyword<GoalMetric> kGoalMetrics[] = {
    {"user_input", GoalMetric::user_input, {6, 8}},
    {"some_mem_psi_us", GoalMetric::some_mem_psi_us, {6, 9}},
    {"node_mem_used_bp", GoalMetric::node_mem_used_bp, {6, 16}},
    {"node_mem_free_bp", GoalMetric::node_mem_free_bp, {6, 16}},
    {"node_memcg_used_bp", GoalMetric::node_memcg_used_bp, {6, 19}},
    {"node_memcg_free_bp", GoalMetric::node_memcg_free_bp, {6, 19}},
    {"active_mem_bp", GoalMetric::active_mem_bp, {7, 0}},
    {"inactive_mem_bp", GoalMetric::inactive_mem_bp, {7, 0}},
    {"node_eligible_mem_bp", GoalMetric::node_eligible_mem_bp, {7, 2}},
    {"hugepage_mem_bp", GoalMetric::hugepage_mem_bp, kMmTree},
};

inline constexpr Keyword<GoalTuner> kGoalTuners[] = {
    {"consist", GoalTuner::consist, {7, 1}},
    {"temporal", GoalTuner::temporal, {7, 1}},
};

inline constexpr Keyword<StateCommand> kStateCommands[] = {
    {"on", StateCommand::on},
    {"off", StateCommand::off},
    {"commit", StateCommand::commit, {5, 19}},
    {"commit_schemes_quota_goals", StateCommand::commit_schemes_quota_goals, {6, 8}},
    {"update_schemes_stats", StateCommand::update_schemes_stats},
    {"update_schemes_tried_regions", StateCommand::update_schemes_tried_regions, {6, 2}},
    {"update_schemes_tried_bytes", StateCommand::update_schemes_tried_bytes, {6, 6}},
    {"clear_schemes_tried_regions", StateCommand::clear_schemes_tried_regions, {6, 2}},
    {"update_schemes_effective_quotas", StateCommand::update_schemes_effective_quotas, {6, 9}},
    {"update_tuned_intervals", StateCommand::update_tuned_intervals, {6, 15}},
};

}  // namespace keywords
}  // namespace damonfs::fs
