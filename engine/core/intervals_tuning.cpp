#include "engine/core/intervals_tuning.h"

#include <algorithm>

#include "engine/core/arith.h"
#include "engine/core/feedback.h"

namespace damon {

uint64_t intervals_score(const std::vector<Target>& targets, uint64_t aggr_samples, uint64_t access_bp) {
  uint64_t max_events = 0, events = 0;
  for (const Target& t : targets) {
    for (const Region& r : t.regions) {
      max_events += r.size() * aggr_samples;
      events += r.size() * r.nr_accesses;
    }
  }
  uint64_t target_events = max_events * access_bp / 10000;
  if (target_events == 0) target_events = 1;
  return arith::mult_frac(events, 10000, target_events);
}

uint64_t intervals_adaptation_bp(uint64_t score_bp) {
  // The loop's input is a fixed 100% x 10^4 so its output is a ratio.
  uint64_t bp = feed_loop_next_input(100000000, score_bp) / 10000;
  if (bp <= 10000) bp = 5000 + bp / 2;
  return bp;
}

MonitoringAttrs tuned_attrs(const MonitoringAttrs& current, uint64_t aggr_samples, uint64_t adaptation_bp) {
  MonitoringAttrs next = current;
  const IntervalsGoal& goal = current.intervals_goal;
  uint64_t sample = std::min(goal.max_sample_us, current.sample_us * adaptation_bp / 10000);
  sample = std::max(goal.min_sample_us, sample);
  next.sample_us = sample;
  next.aggr_us = sample * aggr_samples;
  return next;
}

}  // namespace damon
