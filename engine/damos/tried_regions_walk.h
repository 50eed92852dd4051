// A tried-regions walk (the kernel's damos_walk; docs/state.md, "Tried
// regions"): while installed, every region a scheme is about to act on is
// reported, until each scheme has finished one complete apply round.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "engine/core/region.h"
#include "engine/damos/monitor_view.h"
#include "engine/params.h"

namespace damon {

struct WalkRequest {
  // Each region a scheme acts on, with the scheme's position; called on the
  // kdamond thread during the apply rounds.
  std::function<void(size_t scheme_idx, const TriedRegion& region)> on_region;
  // Called once: 0 when every scheme finished one apply round, -ECANCELED
  // when the walk cannot complete (no schemes, every scheme deactivated by
  // watermarks, or the schemes are destroyed).
  std::function<void(int result)> on_end;
};

// What a tried_regions/<n> directory shows for `r`: bounds, the smoothed
// access count, age, the bytes that passed the ops filters, and the hits of
// each of the `nr_probes` installed probes, read as `reading` says.
TriedRegion tried_region_of(const Region& r, uint64_t sz_filter_passed, size_t nr_probes,
                            const ProbeHitsReading& reading = {});

}  // namespace damon
