#include "engine/damos/priority.h"

#include <algorithm>
#include <bit>

#include "engine/core/attrs.h"

namespace damon {

namespace {

constexpr int64_t kMaxSubscore = 100;
constexpr int64_t kMaxAgeInLog = 32;

int64_t frequency_subscore(const Region& r, const MonitoringAttrs& attrs) {
  // 6.18 ranks by the raw count of the running aggregation (newer kernels
  // use the smoothed count; docs/differences.md).
  return static_cast<int64_t>(uint64_t{r.nr_accesses} * kMaxSubscore / max_nr_accesses(attrs));
}

int64_t age_subscore(const Region& r, const MonitoringAttrs& attrs, bool idle) {
  const uint64_t age_sec = uint64_t{r.age} * attrs.aggr_us / 1000000;
  int64_t age_in_log = 0;
  if (age_sec) age_in_log = std::min<int64_t>(std::bit_width(age_sec), kMaxAgeInLog);
  if (idle) age_in_log = -age_in_log;
  // [-32, 32] scaled to [0, 100].
  return (age_in_log + kMaxAgeInLog) * kMaxSubscore / (2 * kMaxAgeInLog);
}

}  // namespace

uint32_t hot_score(const Region& r, const MonitoringAttrs& attrs, const Quota& weights) {
  const int64_t freq = frequency_subscore(r, attrs);
  const int64_t age = age_subscore(r, attrs, freq == 0);
  const int64_t w_freq = weights.weight_nr_accesses;
  const int64_t w_age = weights.weight_age;

  int64_t hotness = w_freq * freq + w_age * age;
  if (w_freq + w_age) hotness /= w_freq + w_age;
  hotness = hotness * kMaxScore / kMaxSubscore;
  return static_cast<uint32_t>(std::clamp<int64_t>(hotness, 0, kMaxScore));
}

uint32_t region_score(ScoreKind kind, const Region& r, const MonitoringAttrs& attrs,
                      const Quota& weights) {
  switch (kind) {
    case ScoreKind::hot:
      return hot_score(r, attrs, weights);
    case ScoreKind::cold:
      return cold_score(r, attrs, weights);
    case ScoreKind::max:
      break;
  }
  return kMaxScore;
}

void ScoreHistogram::add(uint32_t score, uint64_t bytes) {
  bytes_[score] += bytes;
  max_score_ = std::max(max_score_, score);
}

uint32_t ScoreHistogram::min_score(uint64_t quota) const {
  uint64_t cumulated = 0;
  for (uint32_t score = max_score_;; --score) {
    cumulated += bytes_[score];
    if (cumulated >= quota || score == 0) return score;
  }
}

}  // namespace damon
