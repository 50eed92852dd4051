// nr_* files: every write rebuilds the children from scratch.
#include <gtest/gtest.h>

#include <set>

#include "fs/tree/dir.h"
#include "tests/unit/fs/tree_fixture.h"

namespace damonfs::fs::test {
namespace {

using Strings = std::vector<std::string>;

class NrTest : public TreeTest {};

TEST_F(NrTest, RewriteRecreatesEveryChildWithDefaults) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  ASSERT_EQ(write(path(kK0, "refresh_ms"), "7"), "ok");
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  EXPECT_EQ(read(path(kK0, "refresh_ms")), "0\n");

  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
  ASSERT_EQ(write(path(kC0, "targets/nr_targets"), "1"), "ok");
  ASSERT_EQ(write(path(kC0, "targets/0/regions/nr_regions"), "1"), "ok");
  ASSERT_EQ(write(path(kC0, "targets/0/regions/0/start"), "4096"), "ok");
  ASSERT_EQ(write(path(kC0, "targets/0/regions/nr_regions"), "2"), "ok");
  EXPECT_EQ(read(path(kC0, "targets/0/regions/0/start")), "0\n");

  ASSERT_EQ(write(path(kC0, "operations"), "paddr"), "ok");
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
  EXPECT_EQ(read(path(kC0, "operations")), "vaddr\n");
  EXPECT_EQ(ls(path(kC0, "targets")), Strings{"nr_targets"});
}

TEST_F(NrTest, CountFollowsKernelIntegerParsing) {
  const std::string nr = "admin/kdamonds/nr_kdamonds";
  const std::pair<std::string, std::string> cases[] = {
      {"1", "ok"},
      {"0x10", "ok"},
      {"010", "ok"},
      {"+3", "ok"},
      {"2\n", "ok"},
      {"-1", "!EINVAL"},
      {"-2147483648", "!EINVAL"},
      {" 1", "!EINVAL"},
      {"1\n\n", "!EINVAL"},
      {"abc", "!EINVAL"},
      {"\n", "!EINVAL"},
      {"2147483648", "!ERANGE"},
      {"18446744073709551616", "!ERANGE"},
      {"-0", "ok"},
  };
  const size_t counts_after[] = {1, 16, 8, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0};
  for (size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(write(nr, cases[i].first), cases[i].second) << "input " << cases[i].first;
    EXPECT_EQ(read(nr), std::to_string(counts_after[i]) + "\n") << "input " << cases[i].first;
    EXPECT_EQ(ls("admin/kdamonds").size(), counts_after[i] + 1) << "input " << cases[i].first;
  }
}

TEST_F(NrTest, ContextsAreZeroOrOne) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  const std::string nr = path(kK0, "contexts/nr_contexts");
  EXPECT_EQ(write(nr, "1"), "ok");
  EXPECT_EQ(write(nr, "2"), "!EINVAL");
  EXPECT_EQ(write(nr, "0x10"), "!EINVAL");
  EXPECT_EQ(write(nr, "2147483648"), "!ERANGE");
  EXPECT_EQ(read(nr), "1\n");
  EXPECT_EQ(write(nr, "0"), "ok");
  EXPECT_EQ(read(nr), "0\n");
}

TEST_F(NrTest, CountsBeyondTheKernelArrayLimitFailWithEnomemAndLeaveNone) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
  const std::string nr = path(kC0, "schemes/nr_schemes");
  const std::string max = std::to_string(ChildList::kMaxChildren);
  ASSERT_EQ(write(nr, max), "ok");
  EXPECT_EQ(read(nr), max + "\n");
  EXPECT_EQ(read(path(kC0, "schemes/" + std::to_string(ChildList::kMaxChildren - 1) + "/action")),
            "stat\n");
  ASSERT_EQ(write(nr, "2"), "ok");
  EXPECT_EQ(write(nr, std::to_string(ChildList::kMaxChildren + 1)), "!ENOMEM");
  EXPECT_EQ(read(nr), "0\n");
  EXPECT_EQ(ls(path(kC0, "schemes")), Strings{"nr_schemes"});
  EXPECT_EQ(write(nr, "2147483647"), "!ENOMEM");
  EXPECT_EQ(write(nr, "2"), "ok");
  EXPECT_EQ(ls(path(kC0, "schemes")), (Strings{"0/", "1/", "nr_schemes"}));
}

TEST_F(NrTest, RemovedInodesStopResolvingAndAreNeverReused) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "2"), "ok");
  std::set<uint64_t> seen;
  uint64_t old_dir = ino(kK0);
  uint64_t old_file = ino(path(kK0, "refresh_ms"));
  for (int round = 0; round < 5; ++round) {
    ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "2"), "ok");
    for (const char* p : {"admin/kdamonds/0", "admin/kdamonds/1", "admin/kdamonds/0/refresh_ms",
                          "admin/kdamonds/1/contexts/nr_contexts"})
      EXPECT_TRUE(seen.insert(ino(p)).second) << p << " reused an inode number";
  }
  EXPECT_FALSE(tree.getattr(old_dir));
  EXPECT_FALSE(tree.getattr(old_file));
  EXPECT_FALSE(tree.lookup(old_dir, "refresh_ms"));
  EXPECT_EQ(read_ino(old_file), "!ENODEV");
  EXPECT_EQ(write_ino(old_file, "1"), "!ENODEV");
}

TEST_F(NrTest, OnlyKdamondsAreRefusedWhileOneRuns) {
  build_full();
  backend.on.insert(KdamondHandle{1, 0});
  EXPECT_EQ(write("admin/kdamonds/nr_kdamonds", "0"), "!EBUSY");
  EXPECT_EQ(write("admin/kdamonds/nr_kdamonds", "-1"), "!EINVAL");  // parsing comes first
  EXPECT_EQ(read("admin/kdamonds/nr_kdamonds"), "1\n");
  EXPECT_EQ(write(path(kC0, "schemes/nr_schemes"), "2"), "ok");
  EXPECT_EQ(write(path(kK0, "contexts/nr_contexts"), "0"), "ok");
  backend.on.clear();
  EXPECT_EQ(write("admin/kdamonds/nr_kdamonds", "0"), "ok");
}

TEST_F(NrTest, RebuildAnnouncesOnlyChildrenTheKernelMayHaveCached) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "3"), "ok");
  ASSERT_EQ(invalidations.size(), 1u);
  EXPECT_EQ(invalidations[0].dir, ino("admin/kdamonds"));
  EXPECT_TRUE(invalidations[0].vanished.empty());
  ASSERT_TRUE(stat("admin/kdamonds/2/contexts"));
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  ASSERT_EQ(invalidations.size(), 2u);
  EXPECT_EQ(invalidations[1].vanished, Strings{"2"});
}

TEST_F(NrTest, KdamondRebuildMakesOldHandlesStale) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  ASSERT_NE(backend.staged, nullptr);
  StagedKdamond* first = backend.staged->find(KdamondHandle{1, 0});
  ASSERT_NE(first, nullptr);
  KdamondHandle old = first->handle();
  EXPECT_EQ(backend.rebuilds, 1);
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  EXPECT_EQ(backend.rebuilds, 2);
  EXPECT_EQ(backend.staged->find(old), nullptr);
  StagedKdamond* second = backend.staged->find(KdamondHandle{old.generation + 1, 0});
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->handle().index, 0u);
  EXPECT_EQ(backend.staged->find(KdamondHandle{old.generation + 1, 1}), nullptr);
}

}  // namespace
}  // namespace damonfs::fs::test
