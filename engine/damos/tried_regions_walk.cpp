#include "engine/damos/tried_regions_walk.h"

#include "engine/core/regions.h"
#include "engine/damos/access_pattern.h"

namespace damon {

TriedRegion tried_region_of(const Region& r, uint64_t sz_filter_passed, size_t nr_probes,
                            const ProbeHitsReading& reading) {
  TriedRegion t{.start = r.ar.start,
                .end = r.ar.end,
                .nr_accesses = observed_nr_accesses(r),
                .age = r.age,
                .sz_filter_passed = sz_filter_passed,
                .probe_hits = {}};
  for (size_t p = 0; p < nr_probes && p < kMaxProbes; ++p)
    t.probe_hits.push_back(reading.moving_sum ? moving_sum(r.probe_hits[p], r.last_probe_hits[p],
                                                           reading.left_samples, reading.window)
                                              : r.probe_hits[p]);
  return t;
}

}  // namespace damon
