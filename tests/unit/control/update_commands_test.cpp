// The update_* commands copy what the running kdamond knows into the staged
// files, and only then (docs/state.md, "What the update commands copy" and
// "Tried regions").
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tests/unit/control/control_fixture.h"

namespace damonfs::fs::test {
namespace {

class UpdateCommandsTest : public ControlTest {
 protected:
  std::string stats(int s) { return scheme_dir(0, s) + "/stats/"; }
  std::string tried(int s) { return scheme_dir(0, s) + "/tried_regions"; }
  long long nr_tried(int s) { return fs.number(stats(s) + "nr_tried"); }
  uint64_t monitored_bytes() const { return physical_memory().size(); }
};

TEST_F(UpdateCommandsTest, StatsAreCopiedOnlyWhenAsked) {
  stage(1, {.nr_schemes = 2});
  ASSERT_EQ(state(0, "on"), "ok");
  pump(200ms);  // ten aggregation intervals
  EXPECT_EQ(fs.read(stats(0) + "nr_tried"), "0\n");
  ASSERT_TRUE(stats_until(0, [&] { return nr_tried(0) > 0 && nr_tried(1) > 0; }));
  for (int s : {0, 1}) {
    // Every tried region is at least a page.
    EXPECT_GE(fs.number(stats(s) + "sz_tried"), nr_tried(s) * 4096) << s;
    EXPECT_EQ(fs.read(stats(s) + "qt_exceeds"), "0\n");
  }
  const std::string copied = fs.read(stats(0) + "nr_tried");
  // A walk ends after an apply round that tried regions again; without
  // refresh_ms the copied stats stay as they were.
  ASSERT_EQ(state(0, "update_schemes_tried_bytes"), "ok");
  EXPECT_EQ(fs.read(stats(0) + "nr_tried"), copied);
  ASSERT_EQ(state(0, "update_schemes_stats"), "ok");
  EXPECT_GT(nr_tried(0), std::stoll(copied));
}

TEST_F(UpdateCommandsTest, StatsOfSchemesNoLongerStagedAreDropped) {
  stage(1, {.nr_schemes = 2});
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_EQ(write(context_dir(0) + "/schemes/nr_schemes", "1"), "ok");
  ASSERT_TRUE(stats_until(0, [&] { return nr_tried(0) > 0; }));
  EXPECT_EQ(fs.ls(context_dir(0) + "/schemes"), (Strings{"0/", "nr_schemes"}));
}

TEST_F(UpdateCommandsTest, EffectiveQuotasAreCopied) {
  stage(1);
  ASSERT_EQ(write(scheme_dir(0, 0) + "/quotas/bytes", "123456789"), "ok");
  ASSERT_EQ(write(scheme_dir(0, 0) + "/quotas/reset_interval_ms", "50"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  // The scheme has an effective size from the apply round that first
  // tried regions; copying the stats leaves it uncopied.
  ASSERT_TRUE(stats_until(0, [&] { return nr_tried(0) > 0; }));
  EXPECT_EQ(fs.read(scheme_dir(0, 0) + "/quotas/effective_bytes"), "0\n");
  ASSERT_EQ(state(0, "update_schemes_effective_quotas"), "ok");
  // A size quota without time quota or goals is used as given.
  EXPECT_EQ(fs.read(scheme_dir(0, 0) + "/quotas/effective_bytes"), "123456789\n");
}

TEST_F(UpdateCommandsTest, TunedIntervalsOverwriteUncommittedEdits) {
  stage(1);
  ASSERT_EQ(state(0, "on"), "ok");
  const std::string intervals = context_dir(0) + "/monitoring_attrs/intervals/";
  ASSERT_EQ(write(intervals + "sample_us", "3000"), "ok");
  ASSERT_EQ(write(intervals + "aggr_us", "60000"), "ok");
  ASSERT_EQ(state(0, "update_tuned_intervals"), "ok");
  EXPECT_EQ(fs.read(intervals + "sample_us"), "1000\n");
  EXPECT_EQ(fs.read(intervals + "aggr_us"), "20000\n");
}

TEST_F(UpdateCommandsTest, TriedRegionsCoverWhatAMatchAllSchemeTried) {
  stage(1, {.nr_schemes = 2});
  ASSERT_EQ(state(0, "on"), "ok");
  pump(100ms);
  ASSERT_EQ(state(0, "update_schemes_tried_regions"), "ok");
  for (int s : {0, 1}) {
    Strings entries = fs.ls(tried(s));
    ASSERT_GE(entries.size(), 2u) << s;  // regions and total_bytes
    const size_t n = entries.size() - 1;
    uint64_t sum = 0, prev_end = 0;
    for (size_t i = 0; i < n; ++i) {
      const std::string region = tried(s) + "/" + std::to_string(i);
      const long long start = fs.number(region + "/start");
      const long long end = fs.number(region + "/end");
      ASSERT_LT(start, end) << region;
      // Ascending and, for a scheme matching everything, back to back.
      if (i > 0) {
        EXPECT_EQ(static_cast<uint64_t>(start), prev_end) << region;
      }
      prev_end = static_cast<uint64_t>(end);
      sum += static_cast<uint64_t>(end - start);
      EXPECT_EQ(fs.read(region + "/sz_filter_passed"), "0\n");  // stat without ops filters
    }
    EXPECT_EQ(sum, monitored_bytes()) << s;
    EXPECT_EQ(fs.number(tried(s) + "/total_bytes"), static_cast<long long>(sum)) << s;
  }

  ASSERT_EQ(state(0, "update_schemes_tried_bytes"), "ok");
  EXPECT_EQ(fs.ls(tried(0)), Strings{"total_bytes"});
  EXPECT_EQ(fs.number(tried(0) + "/total_bytes"), static_cast<long long>(monitored_bytes()));

  ASSERT_EQ(state(0, "clear_schemes_tried_regions"), "ok");
  EXPECT_EQ(fs.ls(tried(1)), Strings{"total_bytes"});
  EXPECT_EQ(fs.read(tried(1) + "/total_bytes"), "0\n");
}

TEST_F(UpdateCommandsTest, ATriedRegionsWalkWithoutSchemesIsCancelled) {
  stage(1, {.nr_schemes = 0});
  ASSERT_EQ(state(0, "on"), "ok");
  EXPECT_EQ(state(0, "update_schemes_tried_regions"), "!ECANCELED");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
}

}  // namespace
}  // namespace damonfs::fs::test
