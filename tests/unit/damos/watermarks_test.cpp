#include "engine/damos/watermarks.h"

#include <gtest/gtest.h>

#include "tests/support/folio_machine.h"

namespace damon {
namespace {

Watermarks free_mem(uint64_t high, uint64_t mid, uint64_t low, uint64_t interval_us = 5000) {
  return Watermarks{.metric = WatermarkMetric::free_mem_rate,
                    .interval_us = interval_us,
                    .high = high,
                    .mid = mid,
                    .low = low};
}

TEST(Watermarks, NoneAlwaysActive) {
  WatermarkState st;
  EXPECT_EQ(st.check(Watermarks{}, std::nullopt), 0u);
  EXPECT_TRUE(st.active());
}

TEST(Watermarks, Transitions) {
  const Watermarks w = free_mem(800, 500, 200, 7000);
  WatermarkState st;
  EXPECT_EQ(st.check(w, 600), 0u);  // between mid and high while active: stays active
  EXPECT_TRUE(st.active());
  EXPECT_EQ(st.check(w, 801), 7000u);  // above high: off
  EXPECT_FALSE(st.active());
  EXPECT_EQ(st.check(w, 700), 7000u);  // back under high but above mid: stays off
  EXPECT_EQ(st.check(w, 500), 7000u);  // mid is inclusive
  EXPECT_FALSE(st.active());
  EXPECT_EQ(st.check(w, 499), 0u);  // under mid: on
  EXPECT_TRUE(st.active());
  EXPECT_EQ(st.check(w, 199), 7000u);  // under low: off
  EXPECT_FALSE(st.active());
  EXPECT_EQ(st.check(w, 300), 0u);  // between low and mid: on
  EXPECT_TRUE(st.active());
  st.check(w, 900);
  st.reset();
  EXPECT_TRUE(st.active());
}

TEST(Watermarks, FreeMemRateFromAllNodes) {
  test::FolioMachine m;
  m.add_node(0, 1000 * kPageSize);
  m.add_node(1, 3000 * kPageSize);
  m.set_node_free(0, 100 * kPageSize);
  m.set_node_free(1, 900 * kPageSize);
  EXPECT_EQ(free_mem_rate_permil(m), 250u);
  EXPECT_EQ(watermark_metric_value(free_mem(1, 1, 1), m), 250u);
  EXPECT_EQ(watermark_metric_value(Watermarks{}, m), std::nullopt);
}

}  // namespace
}  // namespace damon
