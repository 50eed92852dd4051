// Stores and shows: one write() is one store of at most a page; what each
// kind of file accepts and how it reads back.
#include <gtest/gtest.h>

#include "tests/unit/fs/tree_fixture.h"

namespace damonfs::fs::test {
namespace {

class StoreTest : public TreeTest {
 protected:
  void SetUp() override { build_full(); }
};

TEST_F(StoreTest, ReadOnlyFilesHaveNoStore) {
  for (const char* f : {"pid"}) EXPECT_EQ(write(path(kK0, f), "1"), "!EIO");
  EXPECT_EQ(write(path(kC0, "avail_operations"), "paddr"), "!EIO");
  EXPECT_EQ(write(path(kS0, "stats/nr_tried"), "1"), "!EIO");
  EXPECT_EQ(write(path(kS0, "quotas/effective_bytes"), "1"), "!EIO");
  EXPECT_EQ(read(path(kS0, "stats/nr_tried")), "0\n");
}

TEST_F(StoreTest, OnlyTheFirstPageIsStored) {
  const std::string sample = path(kC0, "monitoring_attrs/intervals/sample_us");
  EXPECT_EQ(write(sample, std::string(4095, '0') + "1"), "ok");
  EXPECT_EQ(read(sample), "1\n");
  EXPECT_EQ(write(sample, std::string(4096, '0') + "1"), "ok:4096");
  EXPECT_EQ(read(sample), "0\n");
  EXPECT_EQ(write(path(kC0, "operations"), "paddr" + std::string(8192, ' ')), "!EINVAL");
}

TEST_F(StoreTest, ShowsAreCappedAtAPageMinusOne) {
  const std::string memcg = path(kS0, "filters/0/memcg_path");
  EXPECT_EQ(write(memcg, std::string(4095, 'x')), "ok");
  EXPECT_EQ(read(memcg), std::string(4095, 'x'));  // the newline did not fit
  EXPECT_EQ(write(memcg, std::string(4094, 'x')), "ok");
  EXPECT_EQ(read(memcg), std::string(4094, 'x') + "\n");
}

TEST_F(StoreTest, StoresSeeTheDataUpToTheFirstNul) {
  const std::string aggr = path(kC0, "monitoring_attrs/intervals/aggr_us");
  EXPECT_EQ(write(aggr, std::string("12\0junk", 7)), "ok");
  EXPECT_EQ(read(aggr), "12\n");
  EXPECT_EQ(write(aggr, std::string("\0"
                                    "5",
                                    2)),
            "!EINVAL");
  EXPECT_EQ(write(path(kS0, "filters/0/memcg_path"), std::string("/a\0b", 4)), "ok");
  EXPECT_EQ(read(path(kS0, "filters/0/memcg_path")), "/a\n");
}

TEST_F(StoreTest, EmptyWritesStoreNothing) {
  EXPECT_EQ(write(path(kC0, "addr_unit"), ""), "ok");  // 0 would be EINVAL
  EXPECT_EQ(read(path(kC0, "addr_unit")), "1\n");
  EXPECT_EQ(write("admin/kdamonds/nr_kdamonds", ""), "ok");
  EXPECT_EQ(read("admin/kdamonds/nr_kdamonds"), "1\n");
  EXPECT_EQ(write(path(kK0, "state"), ""), "ok");
  EXPECT_TRUE(backend.calls.empty());
}

TEST_F(StoreTest, StringsKeepWhatWasWritten) {
  const std::string memcg = path(kS0, "ops_filters/0/memcg_path");
  EXPECT_EQ(write(memcg, "/sys/fs/cgroup\n"), "ok");
  EXPECT_EQ(read(memcg), "/sys/fs/cgroup\n\n");
  EXPECT_EQ(write(memcg, "two\nlines"), "ok");
  EXPECT_EQ(read(memcg), "two\nlines\n");
}

TEST_F(StoreTest, NumberKindsMapErrorsAsTheKernelDoes) {
  // ul
  EXPECT_EQ(write(path(kS0, "apply_interval_us"), "18446744073709551616"), "!ERANGE");
  EXPECT_EQ(write(path(kS0, "apply_interval_us"), "18446744073709551615"), "ok");
  EXPECT_EQ(read(path(kS0, "apply_interval_us")), "18446744073709551615\n");
  // ul whose store reports every parse error as EINVAL
  for (const char* q : {"ms", "bytes", "reset_interval_ms"})
    EXPECT_EQ(write(path(kS0, std::string("quotas/") + q), "18446744073709551616"), "!EINVAL") << q;
  // ul that must not be 0
  EXPECT_EQ(write(path(kC0, "addr_unit"), "0"), "!EINVAL");
  EXPECT_EQ(write(path(kC0, "addr_unit"), "0x1000"), "ok");
  EXPECT_EQ(read(path(kC0, "addr_unit")), "4096\n");
  // u32
  EXPECT_EQ(write(path(kS0, "quotas/weights/age_permil"), "4294967296"), "!ERANGE");
  EXPECT_EQ(write(path(kS0, "dests/0/id"), "4294967295"), "ok");
  EXPECT_EQ(read(path(kS0, "dests/0/id")), "4294967295\n");
  // s32
  EXPECT_EQ(write(path(kS0, "target_nid"), "2147483648"), "!ERANGE");
  EXPECT_EQ(write(path(kS0, "target_nid"), "-2147483648"), "ok");
  EXPECT_EQ(read(path(kS0, "target_nid")), "-2147483648\n");
  // s32, every parse error EINVAL
  EXPECT_EQ(write(path(kC0, "targets/0/pid_target"), "2147483648"), "!EINVAL");
  EXPECT_EQ(write(path(kC0, "targets/0/pid_target"), "-1"), "ok");
  EXPECT_EQ(read(path(kC0, "targets/0/pid_target")), "-1\n");
}

TEST_F(StoreTest, BoolsShowAsYN) {
  const std::string allow = path(kS0, "core_filters/0/allow");
  for (const auto& [in, want] : {std::pair{"yes please", "Y\n"},
                                 {"of", "N\n"},
                                 {"oN", "Y\n"},
                                 {"0", "N\n"},
                                 {"12", "Y\n"}}) {
    EXPECT_EQ(write(allow, in), "ok") << in;
    EXPECT_EQ(read(allow), want) << in;
  }
  EXPECT_EQ(write(allow, "2"), "!EINVAL");
  EXPECT_EQ(write(allow, " Y"), "!EINVAL");
  EXPECT_EQ(read(allow), "Y\n");
}

TEST_F(StoreTest, KeywordsTakeOneTrailingNewline) {
  const std::string action = path(kS0, "action");
  EXPECT_EQ(write(action, "pageout\n"), "ok");
  EXPECT_EQ(read(action), "pageout\n");
  for (const char* bad : {"pageout\n\n", " stat", "stat ", "STAT", "\n", "stat\r\n", "stats"})
    EXPECT_EQ(write(action, bad), "!EINVAL") << bad;
  EXPECT_EQ(read(action), "pageout\n");
  EXPECT_EQ(write(path(kC0, "operations"), "fvaddr"), "ok");
  EXPECT_EQ(read(path(kC0, "operations")), "fvaddr\n");
  EXPECT_EQ(write(path(kS0, "watermarks/metric"), "free_mem_rate"), "ok");
  EXPECT_EQ(read(path(kS0, "watermarks/metric")), "free_mem_rate\n");
}

TEST_F(StoreTest, FilterTypesAreCheckedPerLayer) {
  const std::string core = path(kS0, "core_filters/0/type");
  const std::string ops = path(kS0, "ops_filters/0/type");
  const std::string any = path(kS0, "filters/0/type");
  for (const char* t : {"addr", "target"}) {
    EXPECT_EQ(write(core, t), "ok") << t;
    EXPECT_EQ(write(ops, t), "!EINVAL") << t;
    EXPECT_EQ(write(any, t), "ok") << t;
  }
  for (const char* t : {"anon", "active", "memcg", "young", "hugepage_size", "unmapped"}) {
    EXPECT_EQ(write(core, t), "!EINVAL") << t;
    EXPECT_EQ(write(ops, t), "ok") << t;
    EXPECT_EQ(write(any, t), "ok") << t;
  }
  EXPECT_EQ(read(core), "target\n");
  EXPECT_EQ(read(ops), "unmapped\n");
  EXPECT_EQ(write(any, "file"), "!EINVAL");
}

}  // namespace
}  // namespace damonfs::fs::test
