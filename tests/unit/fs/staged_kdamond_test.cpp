// What a backend writes back into a kdamond's files.
#include <gtest/gtest.h>

#include "tests/unit/fs/tree_fixture.h"

namespace damonfs::fs::test {
namespace {

using Strings = std::vector<std::string>;

class StagedKdamondTest : public TreeTest {
 protected:
  void SetUp() override {
    build_full();
    ASSERT_EQ(write(path(kC0, "schemes/nr_schemes"), "2"), "ok");
    kdamond = backend.staged->find(KdamondHandle{1, 0});
    ASSERT_NE(kdamond, nullptr);
  }
  StagedKdamond* kdamond = nullptr;
};

TEST_F(StagedKdamondTest, KnowsItsStagedShape) {
  EXPECT_EQ(kdamond->nr_contexts(), 1);
  EXPECT_EQ(kdamond->nr_schemes(), 2u);
  ASSERT_EQ(write(path(kK0, "refresh_ms"), "250"), "ok");
  EXPECT_EQ(kdamond->refresh_ms(), 250u);
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "0"), "ok");
  EXPECT_EQ(kdamond->nr_contexts(), 0);
  EXPECT_EQ(kdamond->nr_schemes(), 0u);
}

TEST_F(StagedKdamondTest, TriedRegionsBecomeNumberedReadOnlyDirectories) {
  const damon::TriedRegion regions[] = {
      {4096, 8192, 3, 7, 4096, {}}, {8192, 20480, 0, 1, 0, {}}, {1 << 30, (1 << 30) + 4096, 20, 500, 0, {}}};
  kdamond->set_tried_regions(1, regions);
  const std::string tried = "admin/kdamonds/0/contexts/0/schemes/1/tried_regions";
  EXPECT_EQ(ls(tried), (Strings{"0/", "1/", "2/", "total_bytes"}));
  EXPECT_EQ(read(tried + "/total_bytes"), std::to_string(4096 + 12288 + 4096) + "\n");
  EXPECT_EQ(ls(tried + "/0"), (Strings{"age", "end", "nr_accesses", "start", "sz_filter_passed"}));
  EXPECT_EQ(read(tried + "/0/start"), "4096\n");
  EXPECT_EQ(read(tried + "/0/end"), "8192\n");
  EXPECT_EQ(read(tried + "/0/nr_accesses"), "3\n");
  EXPECT_EQ(read(tried + "/0/age"), "7\n");
  EXPECT_EQ(read(tried + "/0/sz_filter_passed"), "4096\n");
  EXPECT_EQ(read(tried + "/2/age"), "500\n");
  EXPECT_EQ(stat(tried + "/2/start")->mode, 0400u);
  EXPECT_EQ(write(tried + "/2/start", "1"), "!EIO");
  // The other scheme is untouched.
  EXPECT_EQ(ls(path(kS0, "tried_regions")), Strings{"total_bytes"});

  // A second walk replaces them, named from 0 again; only what the kernel
  // looked up is announced as gone.
  invalidations.clear();
  kdamond->set_tried_regions(1, std::span(regions, 1));
  EXPECT_EQ(ls(tried), (Strings{"0/", "total_bytes"}));
  EXPECT_EQ(read(tried + "/total_bytes"), "4096\n");
  ASSERT_EQ(invalidations.size(), 1u);
  EXPECT_EQ(invalidations[0].dir, ino(tried));
  EXPECT_EQ(invalidations[0].vanished, (Strings{"0", "2"}));
}

// Linux 7.2: each tried region has probes/P/hits, one P per installed probe.
class StagedKdamond72Test : public TreeTestWith<FakeBackend> {
 protected:
  StagedKdamond72Test() : TreeTestWith<FakeBackend>(*AbiProfile::find("7.2")) {}
  void SetUp() override {
    build_full();
    ASSERT_EQ(write(path(kC0, "schemes/nr_schemes"), "1"), "ok");
    kdamond = backend.staged->find(KdamondHandle{1, 0});
    ASSERT_NE(kdamond, nullptr);
  }
  StagedKdamond* kdamond = nullptr;
};

TEST_F(StagedKdamond72Test, TriedRegionsShowProbeHits) {
  const damon::TriedRegion regions[] = {{0, 4096, 1, 1, 0, {17, 0}}, {4096, 8192, 0, 2, 0, {}}};
  kdamond->set_tried_regions(0, regions);
  const std::string tried = path(kS0, "tried_regions");
  EXPECT_EQ(ls(tried + "/0"), (Strings{"age", "end", "nr_accesses", "probes/", "start", "sz_filter_passed"}));
  EXPECT_EQ(ls(tried + "/0/probes"), (Strings{"0/", "1/"}));
  EXPECT_EQ(ls(tried + "/0/probes/0"), Strings{"hits"});
  EXPECT_EQ(read(tried + "/0/probes/0/hits"), "17\n");
  EXPECT_EQ(read(tried + "/0/probes/1/hits"), "0\n");
  EXPECT_EQ(stat(tried + "/0/probes/0/hits")->mode, 0400u);
  EXPECT_EQ(ls(tried + "/1/probes"), Strings{});
}

TEST_F(StagedKdamondTest, TriedBytesAndClearRemoveTheRegionDirectories) {
  const damon::TriedRegion regions[] = {{0, 4096, 1, 1, 0, {}}};
  const std::string tried = path(kS0, "tried_regions");
  kdamond->set_tried_regions(0, regions);
  kdamond->set_tried_bytes(0, 1 << 20);
  EXPECT_EQ(ls(tried), Strings{"total_bytes"});
  EXPECT_EQ(read(tried + "/total_bytes"), "1048576\n");
  kdamond->set_tried_regions(0, regions);
  kdamond->clear_tried_regions(0);
  EXPECT_EQ(ls(tried), Strings{"total_bytes"});
  EXPECT_EQ(read(tried + "/total_bytes"), "0\n");
}

TEST_F(StagedKdamondTest, StatsQuotasAndIntervalsAreWrittenBack) {
  ASSERT_EQ(write(path(kS0, "quotas/bytes"), "1099511627776"), "ok");
  kdamond->set_scheme_stats(0, damon::SchemeStats{1, 2, 3, 4, 5, 6, 7});
  kdamond->set_effective_bytes(0, 1099511627776);
  kdamond->set_tuned_intervals(12000, 240000);
  const std::pair<std::string, std::string> want[] = {
      {"stats/nr_tried", "1\n"},
      {"stats/sz_tried", "2\n"},
      {"stats/nr_applied", "3\n"},
      {"stats/sz_applied", "4\n"},
      {"stats/sz_ops_filter_passed", "5\n"},
      {"stats/qt_exceeds", "6\n"},
      {"quotas/effective_bytes", "1099511627776\n"},
  };
  for (const auto& [f, content] : want) EXPECT_EQ(read(path(kS0, f)), content) << f;
  EXPECT_EQ(read(path(kC0, "monitoring_attrs/intervals/sample_us")), "12000\n");
  EXPECT_EQ(read(path(kC0, "monitoring_attrs/intervals/aggr_us")), "240000\n");
  EXPECT_EQ(read("admin/kdamonds/0/contexts/0/schemes/1/stats/nr_tried"), "0\n");
}

TEST_F(StagedKdamondTest, ResultsForSchemesNoLongerStagedAreDropped) {
  ASSERT_EQ(write(path(kC0, "schemes/nr_schemes"), "1"), "ok");
  const damon::TriedRegion regions[] = {{0, 4096, 1, 1, 0, {}}};
  kdamond->set_scheme_stats(1, damon::SchemeStats{9, 9, 9, 9, 9, 9, 9});
  kdamond->set_effective_bytes(5, 1);
  kdamond->set_tried_regions(1, regions);
  EXPECT_EQ(ls(path(kC0, "schemes")), (Strings{"0/", "nr_schemes"}));
  EXPECT_EQ(read(path(kS0, "stats/nr_tried")), "0\n");
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "0"), "ok");
  kdamond->set_tuned_intervals(1, 2);  // no context: nothing to write
  kdamond->set_scheme_stats(0, damon::SchemeStats{9, 9, 9, 9, 9, 9, 9});
  EXPECT_EQ(ls(path(kK0, "contexts")), Strings{"nr_contexts"});
}

}  // namespace
}  // namespace damonfs::fs::test
