// What DAMOS sees of a running monitoring context.
//
// The schemes engine works on this view rather than on Context directly so
// that the DAMOS algorithms can also be driven on hand-made regions;
// view_of() builds it from a live Context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/clock.h"
#include "engine/core/operations.h"
#include "engine/core/region.h"
#include "engine/core/trace.h"
#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

class Context;

// How tried regions read probe hits: the running aggregation's count, or
// (7.3) the pseudo moving sum over the last aggregation-long window.
struct ProbeHitsReading {
  bool moving_sum = false;
  uint64_t left_samples = 0;  // of the running aggregation
  uint64_t window = 1;        // samples per aggregation
};

struct MonitorView {
  const Operations& ops;     // the context's operations set
  uint64_t addr_unit;        // paddr: bytes per core address unit
  uint64_t min_region_size;  // core address units
  const MonitoringAttrs& attrs;
  // Changes whenever the attributes are (re)set; schemes then restart their
  // apply intervals from now, like after the kernel's damon_set_attrs().
  uint64_t attrs_generation;
  uint64_t passed_samples;  // sampling intervals since start
  std::vector<Target>& targets;
  Machine& machine;
  const Clock& clock;
  size_t nr_probes = 0;  // installed data-attribute probes (tried_regions/N/probes)
  TraceSink* trace = nullptr;  // the context's tracepoint sink, if any
  ProbeHitsReading probe_hits_reading = {};
  // When the sample being finished was due on the kdamond's sampling beat
  // (Clock time, µs). Quota charge windows are timed by it, not by when
  // the late-woken thread happens to read the clock: applies one
  // aggregation apart are then exactly that far apart, as the kernel's
  // sleeps (which only add time) make them at least that far apart.
  uint64_t sample_due_us = 0;
};

// A view of `ctx`, valid while ctx is not changed by anything else.
MonitorView view_of(Context& ctx);

}  // namespace damon
