#include "engine/damos/tried_regions_walk.h"

#include "engine/damos/access_pattern.h"

namespace damon {

TriedRegion tried_region_of(const Region& r, uint64_t sz_filter_passed) {
  return TriedRegion{.start = r.ar.start,
                     .end = r.ar.end,
                     .nr_accesses = observed_nr_accesses(r),
                     .age = r.age,
                     .sz_filter_passed = sz_filter_passed};
}

}  // namespace damon
