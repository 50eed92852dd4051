// Monitoring-attribute arithmetic (docs/engine.md, "The monitoring loop" and
// "Changing the intervals while running"): what the intervals mean in samples,
// and how live counters are rescaled when the intervals change (commit or
// auto-tuning).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/region.h"
#include "engine/params.h"

namespace damon {

// The sampling interval as a divisor: 0 counts as 1 (the kernel's rule for
// every division by sample_us).
inline uint64_t sample_divisor(const MonitoringAttrs& a) { return a.sample_us ? a.sample_us : 1; }

// Samples per aggregation interval = the maximum nr_accesses of a region,
// at least 1, capped to what a u32 counter holds.
uint32_t max_nr_accesses(const MonitoringAttrs& a);

// The kernel's damon_update_monitoring_results: rescales every region's age and
// access counts from `old_attrs` to `new_attrs`. In the middle of an
// aggregation (`aggregating`) the partial count is dropped and the previous
// aggregation's count is rescaled instead. Does nothing when any of the four
// intervals is 0.
void update_monitoring_results(std::vector<Target>& targets, const MonitoringAttrs& old_attrs,
                               const MonitoringAttrs& new_attrs, bool aggregating);

}  // namespace damon
