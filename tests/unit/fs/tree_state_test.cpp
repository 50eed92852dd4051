// `state` and `pid`: contents from the backend, commands to it, and the
// sysfs global lock the tree holds while a command runs.
#include <gtest/gtest.h>

#include "tests/unit/fs/tree_fixture.h"

namespace damonfs::fs::test {
namespace {

class StateTest : public TreeTest {
 protected:
  void SetUp() override { build_full(); }
  KdamondHandle k0() { return backend.staged->find(KdamondHandle{1, 0})->handle(); }
};

TEST_F(StateTest, StateAndPidComeFromTheBackend) {
  EXPECT_EQ(read(path(kK0, "state")), "off\n");
  EXPECT_EQ(read(path(kK0, "pid")), "-1\n");
  backend.on.insert(k0());
  EXPECT_EQ(read(path(kK0, "state")), "on\n");
  EXPECT_EQ(read(path(kK0, "pid")), "4242\n");
}

TEST_F(StateTest, RefreshMsWritesReachTheBackendAtOnce) {
  EXPECT_EQ(write(path(kK0, "refresh_ms"), "100"), "ok");
  EXPECT_EQ(write(path(kK0, "refresh_ms"), "-1"), "!EINVAL");
  EXPECT_EQ(write(path(kK0, "refresh_ms"), "0"), "ok");
  const std::vector<std::pair<KdamondHandle, uint32_t>> want = {{k0(), 100}, {k0(), 0}};
  EXPECT_EQ(backend.refresh_changes, want);
  EXPECT_EQ(read(path(kK0, "refresh_ms")), "0\n");
}

TEST_F(StateTest, UnknownKeywordsNeverReachTheBackend) {
  for (const char* bad : {"start", "on ", " on", "ON", "on\n\n", "update_schemes_stat",
                          "update_schemes_quota_goals", "\n"})
    EXPECT_EQ(write(path(kK0, "state"), bad), "!EINVAL") << bad;
  EXPECT_TRUE(backend.calls.empty());
}

TEST_F(StateTest, EveryCommandKeywordReachesTheBackend) {
  const std::pair<const char*, StateCommand> words[] = {
      {"on", StateCommand::on},
      {"off\n", StateCommand::off},
      {"commit", StateCommand::commit},
      {"commit_schemes_quota_goals", StateCommand::commit_schemes_quota_goals},
      {"update_schemes_stats", StateCommand::update_schemes_stats},
      {"update_schemes_tried_regions", StateCommand::update_schemes_tried_regions},
      {"update_schemes_tried_bytes", StateCommand::update_schemes_tried_bytes},
      {"clear_schemes_tried_regions", StateCommand::clear_schemes_tried_regions},
      {"update_schemes_effective_quotas", StateCommand::update_schemes_effective_quotas},
      {"update_tuned_intervals", StateCommand::update_tuned_intervals},
  };
  for (const auto& [word, cmd] : words) {
    EXPECT_EQ(write(path(kK0, "state"), word), "pending") << word;
    ASSERT_FALSE(backend.calls.empty());
    EXPECT_EQ(backend.calls.back().cmd, cmd) << word;
    EXPECT_EQ(backend.calls.back().kdamond, k0());
    backend.calls.back().done(0);
  }
}

TEST_F(StateTest, TheGlobalLockIsHeldUntilTheCommandCompletes) {
  std::optional<WriteResult> result;
  tree.write(ino(path(kK0, "state")), "update_schemes_tried_regions\n",
             [&](WriteResult r) { result = r; });
  ASSERT_FALSE(result);
  ASSERT_EQ(backend.calls.size(), 1u);

  EXPECT_EQ(read(path(kK0, "state")), "!EBUSY");
  EXPECT_EQ(read(path(kK0, "pid")), "!EBUSY");
  EXPECT_EQ(write(path(kK0, "state"), "update_schemes_stats"), "!EBUSY");
  EXPECT_EQ(write(path(kK0, "state"), "bogus"), "!EBUSY");  // the lock comes first
  EXPECT_EQ(write("admin/kdamonds/nr_kdamonds", "2"), "!EBUSY");
  EXPECT_EQ(write(path(kC0, "schemes/nr_schemes"), "2"), "!EBUSY");
  EXPECT_EQ(write(path(kC0, "schemes/nr_schemes"), "x"), "!EINVAL");  // parsing before the lock
  // Plain values do not take the lock.
  EXPECT_EQ(write(path(kC0, "monitoring_attrs/intervals/sample_us"), "10000"), "ok");
  EXPECT_EQ(read(path(kS0, "stats/nr_tried")), "0\n");

  backend.calls[0].done(0);
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, static_cast<long>(strlen("update_schemes_tried_regions\n")));
  EXPECT_EQ(read(path(kK0, "state")), "off\n");
  EXPECT_EQ(write(path(kC0, "schemes/nr_schemes"), "2"), "ok");
}

TEST_F(StateTest, CommandErrorsReachTheWriterAndReleaseTheLock) {
  for (int err : {-ENOMEM, -ECANCELED, -EPERM}) {
    std::optional<WriteResult> result;
    tree.write(ino(path(kK0, "state")), "on", [&](WriteResult r) { result = r; });
    ASSERT_FALSE(result);
    backend.calls.back().done(err);
    ASSERT_TRUE(result);
    EXPECT_EQ(*result, err);
    EXPECT_EQ(write(path(kC0, "schemes/nr_schemes"), "1"), "ok");
  }
}

}  // namespace
}  // namespace damonfs::fs::test
