// The bandwidth model: the loaded-latency curve and the operating point of
// closed-loop processes on nodes of limited bandwidth.
#include "engine/machine/sim/bandwidth_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/machine/sim/units.h"

namespace damon::sim {
namespace {

TEST(BandwidthModel, LatencyIsFlatThenRisesSharplyNearTheBandwidth) {
  EXPECT_DOUBLE_EQ(loaded_latency_ns(100, 0), 100);
  EXPECT_LT(loaded_latency_ns(100, 0.4), 108);       // Jacob's constant region
  EXPECT_NEAR(loaded_latency_ns(100, 0.9), 200, 1e-9);  // twice idle at 90 %
  EXPECT_GT(loaded_latency_ns(100, 0.99), 1000);
  EXPECT_TRUE(std::isinf(loaded_latency_ns(100, 1)));
}

BandwidthModel::Demand demand(double in_flight, std::vector<double> share) {
  BandwidthModel::Demand d;
  d.in_flight = in_flight;
  d.share = std::move(share);
  return d;
}

TEST(BandwidthModel, UnlimitedNodesKeepIdleLatency) {
  const BandwidthModel m({{100, 0}, {300, 0}});
  const auto pt = m.solve({demand(10, {0.5, 0.5})}, {0, 0});
  // Little's law: 10 in flight at a mean 200 ns.
  EXPECT_NEAR(pt.rate[0], 10 / 200e-9, 1);
  EXPECT_DOUBLE_EQ(pt.latency_ns[1], 300);
}

TEST(BandwidthModel, AHugeDemandSaturatesButNeverExceedsTheBandwidth) {
  const BandwidthModel m({{100, 10e9}});
  const auto pt = m.solve({demand(1e5, {1})}, {0});
  const double bytes = pt.rate[0] * kAccessBytes;
  EXPECT_LT(bytes, 10e9);
  EXPECT_GT(bytes, 0.99 * 10e9);
  EXPECT_GT(pt.utilization[0], 0.99);
  EXPECT_GT(pt.latency_ns[0], 1000);
}

TEST(BandwidthModel, ALightDemandBarelyNoticesTheLimit) {
  const BandwidthModel m({{100, 10e9}});
  // 1 GB/s of demand: 10 % of the node.
  const auto pt = m.solve({demand(1e9 / kAccessBytes * 100e-9, {1})}, {0});
  EXPECT_NEAR(pt.rate[0] * kAccessBytes, 1e9, 0.02e9);
  EXPECT_NEAR(pt.utilization[0], 0.1, 0.003);
}

TEST(BandwidthModel, ProcessesShareANodeAndBackgroundTrafficSlowsThem) {
  const BandwidthModel m({{100, 10e9}, {200, 0}});
  const auto two = m.solve({demand(1e4, {1, 0}), demand(1e4, {1, 0})}, {0, 0});
  EXPECT_NEAR(two.rate[0], two.rate[1], two.rate[0] * 1e-6);
  EXPECT_LT((two.rate[0] + two.rate[1]) * kAccessBytes, 10e9);
  // A process on the unlimited node is not slowed by the other's traffic.
  const auto apart = m.solve({demand(1e4, {1, 0}), demand(10, {0, 1})}, {0, 0});
  EXPECT_NEAR(apart.rate[1], 10 / 200e-9, 1);
  // Migration traffic of half the bandwidth leaves a light process slower.
  const double light = 4e9 / kAccessBytes * 100e-9;
  const double alone = m.solve({demand(light, {1, 0})}, {0, 0}).rate[0];
  const double copying = m.solve({demand(light, {1, 0})}, {5e9, 0}).rate[0];
  EXPECT_LT(copying, 0.97 * alone);
}

TEST(BandwidthModel, CoupledNodesSettle) {
  const BandwidthModel m({{110, 72e9}, {250, 26e9}});
  const auto pt = m.solve({demand(2550, {0.75, 0.25})}, {0, 0});
  // Both nodes near their limit: 3:1 of the traffic, each under its bandwidth.
  EXPECT_GT(pt.utilization[0], 0.9);
  EXPECT_LT(pt.utilization[0], 1);
  EXPECT_GT(pt.utilization[1], 0.9);
  EXPECT_LT(pt.utilization[1], 1);
}

TEST(Units, Bandwidths) {
  EXPECT_EQ(parse_bandwidth("72GB/s"), 72e9);
  EXPECT_EQ(parse_bandwidth("26 GB/s"), 26e9);
  EXPECT_EQ(parse_bandwidth("1GiB/s"), 1073741824.0);
  EXPECT_EQ(parse_bandwidth("500"), 500.0);
  EXPECT_FALSE(parse_bandwidth("72GB"));
  EXPECT_FALSE(parse_bandwidth("fast"));
}

}  // namespace
}  // namespace damon::sim
