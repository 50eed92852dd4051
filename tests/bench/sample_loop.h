// The loop the sample-interval benchmarks time: one sampling interval of a
// started context per benchmark iteration, on a clock only the loop moves.
#pragma once

#include <benchmark/benchmark.h>

#include "engine/clock.h"
#include "engine/core/context.h"

namespace damon::bench {

// Starts `ctx` and times its sampling intervals; false, with the benchmark
// marked as failed, when the context does not start.
inline bool time_sample_intervals(benchmark::State& state, Context& ctx, ManualClock& clock) {
  if (ctx.start() != 0) {
    state.SkipWithError("start failed");
    return false;
  }
  for (auto _ : state) {
    clock.advance(ctx.next_sleep_us());
    ctx.iterate();
  }
  return true;
}

}  // namespace damon::bench
