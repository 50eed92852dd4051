// What the tree looks like: its directories, files, modes and defaults.
#include <gtest/gtest.h>

#include "tests/unit/fs/tree_fixture.h"

namespace damonfs::fs::test {
namespace {

using Strings = std::vector<std::string>;

class LayoutTest : public TreeTest {};

TEST_F(LayoutTest, MountRootHoldsAdminWithNoKdamonds) {
  EXPECT_EQ(ls(""), Strings{"admin/"});
  EXPECT_EQ(ls("admin"), Strings{"kdamonds/"});
  EXPECT_EQ(ls("admin/kdamonds"), Strings{"nr_kdamonds"});
  EXPECT_EQ(read("admin/kdamonds/nr_kdamonds"), "0\n");
  EXPECT_EQ(stat("")->ino, Tree::kRootIno);
}

TEST_F(LayoutTest, KdamondAndSchemeDirectoriesHoldThe618Files) {
  build_full();
  EXPECT_EQ(ls(kK0), (Strings{"contexts/", "pid", "refresh_ms", "state"}));
  EXPECT_EQ(ls(kC0), (Strings{"addr_unit", "avail_operations", "monitoring_attrs/", "operations",
                              "schemes/", "targets/"}));
  EXPECT_EQ(ls(kS0), (Strings{"access_pattern/", "action", "apply_interval_us", "core_filters/",
                              "dests/", "filters/", "ops_filters/", "quotas/", "stats/",
                              "target_nid", "tried_regions/", "watermarks/"}));
  EXPECT_EQ(ls(path(kS0, "quotas")),
            (Strings{"bytes", "effective_bytes", "goals/", "ms", "reset_interval_ms", "weights/"}));
  EXPECT_EQ(ls(path(kS0, "filters/0")),
            (Strings{"addr_end", "addr_start", "allow", "damon_target_idx", "matching", "max",
                     "memcg_path", "min", "type"}));
  EXPECT_EQ(ls(path(kS0, "stats")), (Strings{"nr_applied", "nr_tried", "qt_exceeds", "sz_applied",
                                             "sz_ops_filter_passed", "sz_tried"}));
  EXPECT_EQ(ls(path(kC0, "monitoring_attrs/intervals")),
            (Strings{"aggr_us", "intervals_goal/", "sample_us", "update_us"}));
}

TEST_F(LayoutTest, ModesAreSysfsModes) {
  build_full();
  std::map<std::string, std::string> all = walk("admin");
  const std::set<std::string> read_only = {path(kK0, "pid"),
                                           path(kC0, "avail_operations"),
                                           path(kS0, "quotas/effective_bytes"),
                                           path(kS0, "stats/nr_tried"),
                                           path(kS0, "stats/sz_tried"),
                                           path(kS0, "stats/nr_applied"),
                                           path(kS0, "stats/sz_applied"),
                                           path(kS0, "stats/sz_ops_filter_passed"),
                                           path(kS0, "stats/qt_exceeds"),
                                           path(kS0, "tried_regions/total_bytes")};
  size_t files = 0;
  for (const auto& [p, kind] : all) {
    if (kind[0] == 'd') {
      EXPECT_EQ(kind, "d 0755") << p;
      continue;
    }
    ++files;
    EXPECT_EQ(kind, read_only.count(p) ? "f 0400" : "f 0600") << p;
    EXPECT_EQ(stat(p)->size, 4096u) << p;
  }
  EXPECT_EQ(files, 89u);  // the 6.18 recording's counts for this configuration
  EXPECT_EQ(all.size(), 122u);
}

TEST_F(LayoutTest, DirectoryLinkCountsCountSubdirectories) {
  build_full();
  EXPECT_EQ(stat("admin/kdamonds")->nlink, 3u);  // 0/
  EXPECT_EQ(stat(kC0)->nlink, 5u);               // monitoring_attrs targets schemes
  EXPECT_EQ(stat(path(kS0, "stats"))->nlink, 2u);
  EXPECT_EQ(stat(path(kK0, "state"))->nlink, 1u);
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "3"), "ok");
  EXPECT_EQ(stat("admin/kdamonds")->nlink, 5u);
}

TEST_F(LayoutTest, FreshDirectoriesHoldTheKernelDefaults) {
  build_full();
  const std::pair<std::string, std::string> defaults[] = {
      {path(kK0, "state"), "off\n"},
      {path(kK0, "pid"), "-1\n"},
      {path(kK0, "refresh_ms"), "0\n"},
      {path(kC0, "avail_operations"), "vaddr\nfvaddr\npaddr\n"},
      {path(kC0, "operations"), "vaddr\n"},
      {path(kC0, "addr_unit"), "1\n"},
      {path(kC0, "monitoring_attrs/intervals/sample_us"), "5000\n"},
      {path(kC0, "monitoring_attrs/intervals/aggr_us"), "100000\n"},
      {path(kC0, "monitoring_attrs/intervals/update_us"), "60000000\n"},
      {path(kC0, "monitoring_attrs/intervals/intervals_goal/access_bp"), "0\n"},
      {path(kC0, "monitoring_attrs/nr_regions/min"), "10\n"},
      {path(kC0, "monitoring_attrs/nr_regions/max"), "1000\n"},
      {path(kC0, "targets/0/pid_target"), "0\n"},
      {path(kC0, "targets/0/regions/0/start"), "0\n"},
      {path(kS0, "action"), "stat\n"},
      {path(kS0, "target_nid"), "-1\n"},
      {path(kS0, "apply_interval_us"), "0\n"},
      {path(kS0, "access_pattern/sz/max"), "0\n"},
      {path(kS0, "quotas/goals/0/target_metric"), "user_input\n"},
      {path(kS0, "quotas/goals/0/nid"), "0\n"},
      {path(kS0, "watermarks/metric"), "none\n"},
      {path(kS0, "core_filters/0/type"), "anon\n"},
      {path(kS0, "ops_filters/0/allow"), "N\n"},
      {path(kS0, "filters/0/matching"), "N\n"},
      {path(kS0, "filters/0/memcg_path"), "\n"},
      {path(kS0, "dests/0/weight"), "0\n"},
      {path(kS0, "stats/qt_exceeds"), "0\n"},
      {path(kS0, "tried_regions/total_bytes"), "0\n"},
  };
  for (const auto& [p, want] : defaults) EXPECT_EQ(read(p), want) << p;
}

TEST_F(LayoutTest, MissingNamesAndWrongKindsFail) {
  build_full();
  EXPECT_FALSE(stat(path(kK0, "missing")));
  EXPECT_FALSE(stat("admin/kdamonds/1"));
  EXPECT_FALSE(stat("admin/kdamonds/00"));
  EXPECT_FALSE(stat("admin/kdamonds/+0"));
  EXPECT_FALSE(tree.lookup(ino(path(kK0, "state")), "x"));
  std::vector<DirEntry> entries;
  EXPECT_EQ(tree.readdir(ino(path(kK0, "state")), entries), -ENOTDIR);
  EXPECT_EQ(read(kK0), "!EISDIR");
  EXPECT_EQ(write(kK0, "1"), "!EISDIR");
}

TEST_F(LayoutTest, ReaddirStartsWithDotsThatNameSelfAndParent) {
  build_full();
  std::vector<DirEntry> entries;
  ASSERT_EQ(tree.readdir(ino(kK0), entries), 0);
  ASSERT_GE(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, ".");
  EXPECT_EQ(entries[0].stat.ino, ino(kK0));
  EXPECT_EQ(entries[1].name, "..");
  EXPECT_EQ(entries[1].stat.ino, ino("admin/kdamonds"));
  // Children listed before anyone looked at them carry the inode a later
  // lookup returns.
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "2"), "ok");
  ASSERT_EQ(tree.readdir(ino("admin/kdamonds"), entries), 0);
  const DirEntry& one = entries.back();
  ASSERT_EQ(one.name, "1");
  EXPECT_EQ(one.stat.ino, ino("admin/kdamonds/1"));
  EXPECT_EQ(one.stat.nlink, stat("admin/kdamonds/1")->nlink);
}

}  // namespace
}  // namespace damonfs::fs::test
