#include "engine/machine/sim/units.h"

#include <gtest/gtest.h>

namespace damon::sim {
namespace {

TEST(Units, SizesAreBinaryAndBareNumbersAreBytes) {
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("4K"), 4096u);
  EXPECT_EQ(parse_size("4KiB"), 4096u);
  EXPECT_EQ(parse_size("64 MiB"), 64u << 20);
  EXPECT_EQ(parse_size("1.5GiB"), 3u << 29);
  EXPECT_EQ(parse_size("2TB"), 2ULL << 40);
  EXPECT_EQ(parse_size("1gib"), 1u << 30);
}

TEST(Units, BadSizesAreRejected) {
  EXPECT_FALSE(parse_size(""));
  EXPECT_FALSE(parse_size("GiB"));
  EXPECT_FALSE(parse_size("-1"));
  EXPECT_FALSE(parse_size("12 apples"));
  EXPECT_FALSE(parse_size("1e30TiB"));
}

TEST(Units, DurationsDefaultToMilliseconds) {
  EXPECT_EQ(parse_duration_us("500"), 500000u);
  EXPECT_EQ(parse_duration_us("10s"), 10000000u);
  EXPECT_EQ(parse_duration_us("250us"), 250u);
  EXPECT_EQ(parse_duration_us("1.5ms"), 1500u);
  EXPECT_EQ(parse_duration_us("2min"), 120000000u);
  EXPECT_FALSE(parse_duration_us("10 parsecs"));
}

TEST(Units, LatenciesDefaultToNanoseconds) {
  EXPECT_EQ(parse_latency_ns("100"), 100u);
  EXPECT_EQ(parse_latency_ns("250ns"), 250u);
  EXPECT_EQ(parse_latency_ns("20us"), 20000u);
  EXPECT_FALSE(parse_latency_ns("fast"));
}

TEST(Units, NumbersAcceptExponents) {
  EXPECT_EQ(parse_number("1e7"), 1e7);
  EXPECT_EQ(parse_number("0.05"), 0.05);
  EXPECT_FALSE(parse_number("5/s"));
  EXPECT_FALSE(parse_number("-3"));
}

}  // namespace
}  // namespace damon::sim
