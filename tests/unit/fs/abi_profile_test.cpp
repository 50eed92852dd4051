// ABI profiles: 6.18 is the recorded kernel, latest adds the newer files and
// keywords; both come from the same declarations.
#include "fs/tree/abi_profile.h"

#include <gtest/gtest.h>

#include "tests/unit/fs/tree_fixture.h"

namespace damonfs::fs::test {
namespace {

using Strings = std::vector<std::string>;

TEST(AbiProfileTest, ProfilesByName) {
  ASSERT_NE(AbiProfile::find("6.18"), nullptr);
  ASSERT_NE(AbiProfile::find("latest"), nullptr);
  EXPECT_EQ(&AbiProfile::latest(), AbiProfile::find("latest"));
  EXPECT_EQ(AbiProfile::find("6.17.1"), nullptr);
  const AbiProfile& v618 = *AbiProfile::find("6.18");
  EXPECT_TRUE(v618.has({6, 18}));
  EXPECT_TRUE(v618.has(kSysfsOrigin));
  EXPECT_FALSE(v618.has({6, 19}));
  EXPECT_FALSE(v618.has(kMmTree));
  EXPECT_TRUE(AbiProfile::latest().has(kMmTree));
}

class LatestTest : public TreeTest {
 protected:
  LatestTest() : TreeTest(AbiProfile::latest()) {}
  void SetUp() override { build_full(); }
};

class V618Test : public TreeTest {
 protected:
  void SetUp() override { build_full(); }
};

// The files that exist only after 6.18, with their mode and default.
const std::tuple<std::string, mode_t, std::string> kNewer[] = {
    {path(kC0, "pause"), 0600, "N\n"},
    {path(kC0, "targets/0/obsolete_target"), 0600, "N\n"},
    {path(kS0, "quotas/goals/0/path"), 0600, "\n"},
    {path(kS0, "quotas/goal_tuner"), 0600, "consist\n"},
    {path(kS0, "quotas/fail_charge_num"), 0600, "0\n"},
    {path(kS0, "quotas/fail_charge_denom"), 0600, "0\n"},
    {path(kS0, "stats/nr_snapshots"), 0400, "0\n"},
    {path(kS0, "stats/max_nr_snapshots"), 0600, "0\n"},
};

TEST_F(LatestTest, HasTheNewerFiles) {
  for (const auto& [p, mode, content] : kNewer) {
    std::optional<NodeStat> n = stat(p);
    ASSERT_TRUE(n) << p;
    EXPECT_EQ(n->mode, mode) << p;
    EXPECT_EQ(read(p), content) << p;
  }
}

TEST_F(V618Test, LacksTheNewerFiles) {
  for (const auto& [p, mode, content] : kNewer) EXPECT_FALSE(stat(p)) << p;
}

TEST_F(LatestTest, AcceptsTheNewerKeywords) {
  EXPECT_EQ(write(path(kS0, "action"), "collapse"), "ok");
  EXPECT_EQ(read(path(kS0, "action")), "collapse\n");
  for (const char* m : {"node_memcg_used_bp", "node_memcg_free_bp", "active_mem_bp",
                        "inactive_mem_bp", "node_eligible_mem_bp", "hugepage_mem_bp"}) {
    EXPECT_EQ(write(path(kS0, "quotas/goals/0/target_metric"), m), "ok") << m;
    EXPECT_EQ(read(path(kS0, "quotas/goals/0/target_metric")), std::string(m) + "\n");
  }
  EXPECT_EQ(write(path(kS0, "quotas/goal_tuner"), "temporal"), "ok");
  EXPECT_EQ(write(path(kS0, "quotas/goal_tuner"), "none"), "!EINVAL");
  EXPECT_EQ(read(path(kS0, "quotas/goal_tuner")), "temporal\n");
}

TEST_F(V618Test, RejectsTheNewerKeywords) {
  EXPECT_EQ(write(path(kS0, "action"), "collapse"), "!EINVAL");
  for (const char* m : {"node_memcg_used_bp", "node_memcg_free_bp", "active_mem_bp",
                        "inactive_mem_bp", "node_eligible_mem_bp", "hugepage_mem_bp"})
    EXPECT_EQ(write(path(kS0, "quotas/goals/0/target_metric"), m), "!EINVAL") << m;
  EXPECT_EQ(read(path(kS0, "quotas/goals/0/target_metric")), "user_input\n");
}

TEST_F(LatestTest, BothProfilesListAllOperationsSets) {
  EXPECT_EQ(read(path(kC0, "avail_operations")), "vaddr\nfvaddr\npaddr\n");
}

}  // namespace
}  // namespace damonfs::fs::test
