// Every profile from 5.18 to latest against an independent account of when
// each file and keyword arrived (the Date of its entry in
// Documentation/ABI/testing/sysfs-kernel-mm-damon, mapped to the release
// that first carried it, and damo's feature table). A wrong since tag in the
// tree declarations shows up here as a profile with a file one release too
// early or too late.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fs/tree/probe_dirs.h"
#include "tests/unit/fs/tree_fixture.h"

namespace damonfs::fs::test {
namespace {

struct Since {
  unsigned major, minor;
};

bool at_least(const AbiProfile& p, Since s) { return p.has(AbiVersion{s.major, s.minor}); }

constexpr Since kMm{255, 0};

// Paths relative to a context with one of every child the profile has.
const std::pair<const char*, Since> kFiles[] = {
    {"avail_operations", {5, 19}},
    {"addr_unit", {6, 18}},
    {"pause", {7, 2}},
    {"monitoring_attrs/intervals/intervals_goal/access_bp", {6, 15}},
    {"monitoring_attrs/probes/nr_probes", {7, 2}},
    {"monitoring_attrs/probes/0/filters/nr_filters", {7, 2}},
    {"monitoring_attrs/probes/0/filters/0/type", {7, 2}},
    {"monitoring_attrs/probes/0/filters/0/path", {7, 2}},
    {"monitoring_attrs/probes/0/weight", {7, 3}},
    {"targets/0/obsolete_target", {6, 19}},
    {"schemes/0/apply_interval_us", {6, 7}},
    {"schemes/0/target_nid", {6, 11}},
    {"schemes/0/target_order", kMm},
    {"schemes/0/quotas/effective_bytes", {6, 9}},
    {"schemes/0/quotas/goal_tuner", {7, 1}},
    {"schemes/0/quotas/fail_charge_num", {7, 2}},
    {"schemes/0/quotas/fail_charge_denom", {7, 2}},
    {"schemes/0/quotas/goals/nr_goals", {6, 8}},
    {"schemes/0/quotas/goals/0/target_value", {6, 8}},
    {"schemes/0/quotas/goals/0/target_metric", {6, 9}},
    {"schemes/0/quotas/goals/0/nid", {6, 16}},
    {"schemes/0/quotas/goals/0/path", {6, 19}},
    {"schemes/0/filters/nr_filters", {6, 3}},
    {"schemes/0/filters/0/memcg_path", {6, 3}},
    {"schemes/0/filters/0/addr_start", {6, 6}},
    {"schemes/0/filters/0/allow", {6, 14}},
    {"schemes/0/filters/0/min", {6, 15}},
    {"schemes/0/core_filters/nr_filters", {6, 15}},
    {"schemes/0/ops_filters/nr_filters", {6, 15}},
    {"schemes/0/dests/nr_dests", {6, 17}},
    {"schemes/0/stats/qt_exceeds", {5, 18}},
    {"schemes/0/stats/sz_ops_filter_passed", {6, 14}},
    {"schemes/0/stats/nr_snapshots", {7, 0}},
    {"schemes/0/stats/max_nr_snapshots", {7, 0}},
    {"schemes/0/tried_regions", {6, 2}},
    {"schemes/0/tried_regions/total_bytes", {6, 6}},
};

struct KeywordCase {
  const char* file;  // relative to the context
  const char* word;
  Since since;
};

const KeywordCase kKeywords[] = {
    {"operations", "vaddr", {5, 18}},
    {"operations", "paddr", {5, 18}},
    {"operations", "fvaddr", {5, 19}},
    {"schemes/0/action", "pageout", {5, 18}},
    {"schemes/0/action", "lru_prio", {6, 0}},
    {"schemes/0/action", "lru_deprio", {6, 0}},
    {"schemes/0/action", "migrate_hot", {6, 11}},
    {"schemes/0/action", "migrate_cold", {6, 11}},
    {"schemes/0/action", "collapse", {7, 2}},
    {"schemes/0/action", "split", kMm},
    {"schemes/0/filters/0/type", "anon", {6, 3}},
    {"schemes/0/filters/0/type", "memcg", {6, 3}},
    {"schemes/0/filters/0/type", "addr", {6, 6}},
    {"schemes/0/filters/0/type", "target", {6, 6}},
    {"schemes/0/filters/0/type", "young", {6, 10}},
    {"schemes/0/filters/0/type", "active", {6, 15}},
    {"schemes/0/filters/0/type", "hugepage_size", {6, 15}},
    {"schemes/0/filters/0/type", "unmapped", {6, 15}},
    {"schemes/0/quotas/goals/0/target_metric", "some_mem_psi_us", {6, 9}},
    {"schemes/0/quotas/goals/0/target_metric", "node_mem_used_bp", {6, 16}},
    {"schemes/0/quotas/goals/0/target_metric", "node_memcg_free_bp", {6, 19}},
    {"schemes/0/quotas/goals/0/target_metric", "inactive_mem_bp", {7, 0}},
    {"schemes/0/quotas/goals/0/target_metric", "node_eligible_mem_bp", {7, 2}},
    {"schemes/0/quotas/goals/0/target_metric", "hugepage_mem_bp", kMm},
    {"monitoring_attrs/probes/0/filters/0/type", "memcg", {7, 2}},
};

const std::pair<const char*, Since> kStateCommands[] = {
    {"update_schemes_stats", {5, 18}},
    {"commit", {5, 19}},
    {"update_schemes_tried_regions", {6, 2}},
    {"clear_schemes_tried_regions", {6, 2}},
    {"update_schemes_tried_bytes", {6, 6}},
    {"commit_schemes_quota_goals", {6, 8}},
    {"update_schemes_effective_quotas", {6, 9}},
    {"update_tuned_intervals", {6, 15}},
};

class AbiMatrixTest : public TreeTest, public ::testing::WithParamInterface<std::string> {
 protected:
  AbiMatrixTest() : TreeTest(*AbiProfile::find(GetParam())) {}
  const AbiProfile& profile() const { return *AbiProfile::find(GetParam()); }

  // One of every child this profile's tree has.
  void SetUp() override {
    ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
    ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
    for (const char* nr : {"targets/nr_targets", "targets/0/regions/nr_regions",
                           "schemes/nr_schemes", "schemes/0/quotas/goals/nr_goals",
                           "schemes/0/filters/nr_filters", "schemes/0/core_filters/nr_filters",
                           "schemes/0/ops_filters/nr_filters", "schemes/0/dests/nr_dests",
                           "monitoring_attrs/probes/nr_probes",
                           "monitoring_attrs/probes/0/filters/nr_filters"}) {
      if (stat(path(kC0, nr))) {
        ASSERT_EQ(write(path(kC0, nr), "1"), "ok") << nr;
      }
    }
  }
};

TEST_P(AbiMatrixTest, FilesExistFromTheirRelease) {
  for (const auto& [file, since] : kFiles)
    EXPECT_EQ(stat(path(kC0, file)).has_value(), at_least(profile(), since)) << file;
  EXPECT_EQ(stat(path(kK0, "refresh_ms")).has_value(), at_least(profile(), {6, 17}));
}

TEST_P(AbiMatrixTest, KeywordsAreAcceptedFromTheirRelease) {
  for (const KeywordCase& k : kKeywords) {
    if (!stat(path(kC0, k.file))) continue;  // the file itself is newer
    EXPECT_EQ(write(path(kC0, k.file), k.word), at_least(profile(), k.since) ? "ok" : "!EINVAL")
        << k.file << " <- " << k.word;
  }
}

TEST_P(AbiMatrixTest, StateCommandsExistFromTheirRelease) {
  // While off, a known command fails in the backend (here: it is queued),
  // an unknown one at once with EINVAL.
  for (const auto& [cmd, since] : kStateCommands) {
    EXPECT_EQ(write(path(kK0, "state"), cmd), at_least(profile(), since) ? "pending" : "!EINVAL")
        << cmd;
    for (FakeBackend::Call& call : backend.calls) call.done(0);
    backend.calls.clear();
  }
}

TEST_P(AbiMatrixTest, AvailableOperationsFollowTheProfile) {
  if (!at_least(profile(), {5, 19})) return;
  EXPECT_EQ(read(path(kC0, "avail_operations")), "vaddr\nfvaddr\npaddr\n");
}

std::vector<std::string> profile_names() {
  std::vector<std::string> names;
  for (const AbiProfile& p : AbiProfile::all()) names.emplace_back(p.name());
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllProfiles, AbiMatrixTest, ::testing::ValuesIn(profile_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '.', '_');
                           return n;
                         });

TEST(AbiProfileListTest, EveryReleaseFrom5_18To7_3) {
  std::vector<std::string> expected = {"latest"};
  for (unsigned minor = 3; minor + 1 > 0; --minor) expected.push_back("7." + std::to_string(minor));
  for (unsigned minor = 19; minor + 1 > 0; --minor) expected.push_back("6." + std::to_string(minor));
  expected.insert(expected.end(), {"5.19", "5.18"});
  EXPECT_EQ(profile_names(), expected);
}

// The examples, spelled out.
class ProfileExamplesTest : public TreeTest {
 protected:
  explicit ProfileExamplesTest(const char* name = "6.18") : TreeTest(*AbiProfile::find(name)) {}
};

class V6_1Test : public ProfileExamplesTest {
 protected:
  V6_1Test() : ProfileExamplesTest("6.1") {}
};

TEST_F(V6_1Test, HasNoFiltersNorTriedRegions) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
  ASSERT_EQ(write(path(kC0, "schemes/nr_schemes"), "1"), "ok");
  EXPECT_EQ(ls(kS0), (std::vector<std::string>{"access_pattern/", "action", "quotas/", "stats/",
                                               "watermarks/"}));
  EXPECT_EQ(ls(path(kS0, "stats")), (std::vector<std::string>{"nr_applied", "nr_tried",
                                                              "qt_exceeds", "sz_applied",
                                                              "sz_tried"}));
}

class V6_6Test : public ProfileExamplesTest {
 protected:
  V6_6Test() : ProfileExamplesTest("6.6") {}
};

TEST_F(V6_6Test, HasFiltersButNoQuotaGoals) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
  ASSERT_EQ(write(path(kC0, "schemes/nr_schemes"), "1"), "ok");
  EXPECT_EQ(ls(path(kS0, "quotas")),
            (std::vector<std::string>{"bytes", "ms", "reset_interval_ms", "weights/"}));
  ASSERT_EQ(write(path(kS0, "filters/nr_filters"), "1"), "ok");
  EXPECT_EQ(ls(path(kS0, "filters/0")),
            (std::vector<std::string>{"addr_end", "addr_start", "damon_target_idx", "matching",
                                      "memcg_path", "type"}));
}

class V6_16Test : public ProfileExamplesTest {
 protected:
  V6_16Test() : ProfileExamplesTest("6.16") {}
};

TEST_F(V6_16Test, HasNoRefreshMsNorDests) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  EXPECT_EQ(ls(kK0), (std::vector<std::string>{"contexts/", "pid", "state"}));
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
  ASSERT_EQ(write(path(kC0, "schemes/nr_schemes"), "1"), "ok");
  EXPECT_FALSE(stat(path(kS0, "dests")));
}

class LatestProbesTest : public ProfileExamplesTest {
 protected:
  LatestProbesTest() : ProfileExamplesTest("latest") {}
};

TEST_F(LatestProbesTest, ProbesAreBoundedAndRebuiltLikeOtherCounts) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
  const std::string probes = path(kC0, "monitoring_attrs/probes");
  EXPECT_EQ(read(probes + "/nr_probes"), "0\n");
  EXPECT_EQ(write(probes + "/nr_probes", std::to_string(kMaxProbes + 1)), "!EINVAL");
  EXPECT_EQ(write(probes + "/nr_probes", "-1"), "!EINVAL");
  ASSERT_EQ(write(probes + "/nr_probes", std::to_string(kMaxProbes)), "ok");
  EXPECT_EQ(ls(probes), (std::vector<std::string>{"0/", "1/", "2/", "3/", "nr_probes"}));
  EXPECT_EQ(ls(probes + "/0"), (std::vector<std::string>{"filters/", "weight"}));
  ASSERT_EQ(write(probes + "/0/filters/nr_filters", "1"), "ok");
  const std::string f = probes + "/0/filters/0";
  EXPECT_EQ(read(f + "/type"), "anon\n");
  EXPECT_EQ(read(f + "/matching"), "N\n");
  EXPECT_EQ(read(f + "/allow"), "N\n");
  EXPECT_EQ(read(f + "/path"), "\n");
  EXPECT_EQ(read(probes + "/0/weight"), "0\n");
  // Only the probe filter types: no ops or core DAMOS filter types.
  for (const char* t : {"young", "addr", "target", "active", "foo"})
    EXPECT_EQ(write(f + "/type", t), "!EINVAL") << t;
  EXPECT_EQ(write(f + "/type", "memcg"), "ok");
  EXPECT_EQ(read(f + "/type"), "memcg\n");
}

TEST_F(LatestProbesTest, SchemeTargetOrderDefaultsToBasePages) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
  ASSERT_EQ(write(path(kC0, "schemes/nr_schemes"), "1"), "ok");
  EXPECT_EQ(read(path(kS0, "target_order")), "0\n");
  EXPECT_EQ(write(path(kS0, "target_order"), "-1"), "!EINVAL");
  EXPECT_EQ(write(path(kS0, "target_order"), "4294967296"), "!ERANGE");
  EXPECT_EQ(write(path(kS0, "target_order"), "4"), "ok");
  EXPECT_EQ(read(path(kS0, "target_order")), "4\n");
}

}  // namespace
}  // namespace damonfs::fs::test
