// Priority scores that decide which regions a quota-limited scheme acts on
// first (docs/engine.md, "Priorities"; the kernel's damon_hot_score), and the
// score threshold derived from them.
#pragma once

#include <array>
#include <cstdint>

#include "engine/core/region.h"
#include "engine/core/operations.h"
#include "engine/params.h"

namespace damon {

inline constexpr uint32_t kMaxScore = 99;

// Hotness 0..99 from the access frequency of the current aggregation and the
// region's age (log2 of seconds), mixed by the quota's nr_accesses and age
// weights. An idle region gets colder the older it is, a busy one hotter.
uint32_t hot_score(const Region& r, const MonitoringAttrs& attrs, const Quota& weights);

inline uint32_t cold_score(const Region& r, const MonitoringAttrs& attrs, const Quota& weights) {
  return kMaxScore - hot_score(r, attrs, weights);
}

uint32_t region_score(ScoreKind kind, const Region& r, const MonitoringAttrs& attrs,
                      const Quota& weights);

// Bytes per score over the regions a scheme could act on, from which the
// minimum score that still fits the effective quota is read.
class ScoreHistogram {
 public:
  void add(uint32_t score, uint64_t bytes);
  // The highest score s such that the bytes scoring at least s reach
  // `quota`; 0 when even all bytes together do not.
  uint32_t min_score(uint64_t quota) const;

 private:
  std::array<uint64_t, kMaxScore + 1> bytes_{};
  uint32_t max_score_ = 0;
};

}  // namespace damon
