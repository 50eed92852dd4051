// How tried regions read probe hits, decided by the profile
// (kProbeHitsMovingSum): 7.2 shows the running aggregation's count, 7.3 the
// pseudo moving sum over the last aggregation-long window. A probe without
// filters is hit by every sample, so its moving sum is one full window (20
// samples here) wherever in the aggregation the scheme reads it, while the
// running count is the samples taken so far.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/control/control_fixture.h"

namespace damonfs::fs::test {
namespace {

class ProbeHitsTest : public ControlTest {
 protected:
  explicit ProbeHitsTest(const char* abi) : ControlTest(abi) {}
  void SetUp() override {
    stage(1);  // paddr, 1 ms samples, 20 ms aggregations, one stat scheme
    ASSERT_EQ(write(context_dir(0) + "/monitoring_attrs/probes/nr_probes", "1"), "ok");
    // 7 samples: the scheme reads the hits mostly inside an aggregation.
    ASSERT_EQ(write(scheme_dir(0, 0) + "/apply_interval_us", "7000"), "ok");
    ASSERT_EQ(state(0, "on"), "ok");
    // Past the first aggregations: six apply rounds are 42 samples.
    ASSERT_TRUE(stats_until(
        0, [&] { return fs.number(scheme_dir(0, 0) + "/stats/nr_snapshots") >= 6; }));
  }
  void TearDown() override { state(0, "off"); }

  // Hits of probe 0 in every tried region of one walk.
  std::vector<int> walk_hits() {
    EXPECT_EQ(state(0, "update_schemes_tried_regions"), "ok");
    const std::string tried = scheme_dir(0, 0) + "/tried_regions/";
    std::vector<int> hits;
    for (int i = 0;; ++i) {
      const long long h = fs.number(tried + std::to_string(i) + "/probes/0/hits");
      if (h < 0) break;
      hits.push_back(static_cast<int>(h));
    }
    return hits;
  }
};

class ProbeHits72Test : public ProbeHitsTest {
 protected:
  ProbeHits72Test() : ProbeHitsTest("7.2") {}
};

class ProbeHits73Test : public ProbeHitsTest {
 protected:
  ProbeHits73Test() : ProbeHitsTest("7.3") {}
};

TEST_F(ProbeHits73Test, MovingSumIsOneFullWindowWhereverTheSchemeReads) {
  for (int walk = 0; walk < 3; ++walk) {
    const std::vector<int> hits = walk_hits();
    ASSERT_FALSE(hits.empty());
    for (int h : hits) EXPECT_EQ(h, 20) << "walk " << walk;
  }
}

TEST_F(ProbeHits72Test, RunningCountIsTheSamplesSoFar) {
  bool inside = false;
  for (int walk = 0; walk < 3; ++walk) {
    const std::vector<int> hits = walk_hits();
    ASSERT_FALSE(hits.empty());
    for (int h : hits) {
      EXPECT_EQ(h, hits[0]);  // every region saw the same samples
      EXPECT_LE(h, 20);
    }
    inside |= hits[0] < 20;
  }
  // Applies every 7 samples meet an aggregation boundary once in 20.
  EXPECT_TRUE(inside);
}

}  // namespace
}  // namespace damonfs::fs::test
