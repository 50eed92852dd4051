#include "engine/damos/monitor_view.h"

#include "engine/core/context.h"

namespace damon {

MonitorView view_of(Context& ctx) {
  const ContextParams& p = ctx.params();
  return MonitorView{.ops = ctx.ops(),
                     .addr_unit = p.addr_unit,
                     .min_region_size = ctx.min_region_size(),
                     .attrs = ctx.attrs(),
                     .attrs_generation = ctx.attrs_generation(),
                     .passed_samples = ctx.passed_samples(),
                     .targets = ctx.targets(),
                     .machine = ctx.machine(),
                     .clock = ctx.clock(),
                     .nr_probes = p.probes.size(),
                     .trace = ctx.trace_sink(),
                     .probe_hits_reading = {.moving_sum = p.probe_hits_moving_sum,
                                            .left_samples = ctx.samples_left_in_aggregation(),
                                            .window = ctx.samples_per_aggregation()},
                     .sample_due_us = ctx.next_deadline_us()};
}

}  // namespace damon
