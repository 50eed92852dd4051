// The access pattern every region matches, for tests that build schemes by
// hand (a zero max in AccessPattern's defaults matches nothing, as in the
// kernel).
#pragma once

#include "engine/params.h"

namespace damon::test {

inline AccessPattern any_pattern() {
  return AccessPattern{.min_sz = 0,
                       .max_sz = ~0ULL,
                       .min_nr_accesses = 0,
                       .max_nr_accesses = ~0ULL,
                       .min_age = 0,
                       .max_age = ~0ULL};
}

}  // namespace damon::test
