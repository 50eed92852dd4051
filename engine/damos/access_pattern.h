// Does a region fit a scheme's access pattern (docs/interface.md,
// "access_pattern/")?
#pragma once

#include <cstdint>

#include "engine/core/region.h"
#include "engine/params.h"

namespace damon {

// The access count patterns, tried regions and goal metrics see: the
// smoothed count, in whole samples per aggregation interval.
inline uint32_t observed_nr_accesses(const Region& r) { return r.nr_accesses_bp / 10000; }

// All three ranges are closed, so the all-zero default pattern matches only
// empty regions, i.e. nothing.
bool pattern_matches(const AccessPattern& pattern, const Region& r);

}  // namespace damon
