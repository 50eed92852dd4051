// Monitoring intervals auto-tuning (docs/engine.md, "Intervals auto-tuning"):
// every `aggrs` aggregations, scale the sampling interval so the observed
// access events approach access_bp of the possible ones.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/region.h"
#include "engine/params.h"

namespace damon {

// Observed access events (size x nr_accesses, summed) over the goal's share
// of the possible events (size x samples per aggregation x access_bp/10000),
// x 10000.
uint64_t intervals_score(const std::vector<Target>& targets, uint64_t aggr_samples, uint64_t access_bp);

// Scale factor in bp (1..20000) for the sampling interval, from the feedback
// loop; shrinking is compressed into 5000..10000 so one step at most halves it.
uint64_t intervals_adaptation_bp(uint64_t score_bp);

// The attributes after one tuning step: sample_us scaled by `adaptation_bp`
// and clamped to the goal's [min_sample_us, max_sample_us]; aggr_us keeps
// `aggr_samples` samples per aggregation.
MonitoringAttrs tuned_attrs(const MonitoringAttrs& current, uint64_t aggr_samples, uint64_t adaptation_bp);

}  // namespace damon
