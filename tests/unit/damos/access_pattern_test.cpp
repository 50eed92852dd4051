#include "engine/damos/access_pattern.h"

#include <gtest/gtest.h>

namespace damon {
namespace {

Region region(uint64_t start, uint64_t end, uint32_t nr_accesses_bp, uint32_t age) {
  Region r;
  r.ar = {start, end};
  r.nr_accesses_bp = nr_accesses_bp;
  r.nr_accesses = nr_accesses_bp / 10000;
  r.age = age;
  return r;
}

TEST(AccessPattern, DefaultPatternMatchesNothing) {
  EXPECT_FALSE(pattern_matches(AccessPattern{}, region(0, 4096, 0, 0)));
}

TEST(AccessPattern, RangesAreClosed) {
  const AccessPattern p{.min_sz = 4096,
                        .max_sz = 8192,
                        .min_nr_accesses = 2,
                        .max_nr_accesses = 5,
                        .min_age = 3,
                        .max_age = 7};
  EXPECT_TRUE(pattern_matches(p, region(0, 4096, 20000, 3)));
  EXPECT_TRUE(pattern_matches(p, region(0, 8192, 50000, 7)));
  EXPECT_FALSE(pattern_matches(p, region(0, 8193, 50000, 7)));
  EXPECT_FALSE(pattern_matches(p, region(0, 4095, 20000, 3)));
  EXPECT_FALSE(pattern_matches(p, region(0, 4096, 60000, 3)));
  EXPECT_FALSE(pattern_matches(p, region(0, 4096, 20000, 8)));
  EXPECT_FALSE(pattern_matches(p, region(0, 4096, 20000, 2)));
}

TEST(AccessPattern, UsesSmoothedCountRoundedDown) {
  const AccessPattern p{.min_sz = 0,
                        .max_sz = ~0ULL,
                        .min_nr_accesses = 3,
                        .max_nr_accesses = 3,
                        .min_age = 0,
                        .max_age = ~0ULL};
  Region r = region(0, 4096, 39999, 0);
  r.nr_accesses = 4;  // raw count of the running aggregation is not what patterns see
  EXPECT_TRUE(pattern_matches(p, r));
  EXPECT_EQ(observed_nr_accesses(r), 3u);
  r.nr_accesses_bp = 29999;
  EXPECT_FALSE(pattern_matches(p, r));
}

}  // namespace
}  // namespace damon
