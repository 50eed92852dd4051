// The backend of a mount without an engine: nothing ever runs.
#include "tests/support/no_engine_backend.h"

#include <gtest/gtest.h>

#include "tests/unit/fs/tree_fixture.h"

namespace damonfs::fs::test {
namespace {

using NoEngineTest = TreeTestWith<NoEngineBackend>;

TEST_F(NoEngineTest, NothingRuns) {
  build_full();
  EXPECT_EQ(read(path(kK0, "state")), "off\n");
  EXPECT_EQ(read(path(kK0, "pid")), "-1\n");
  EXPECT_FALSE(backend.any_running());
  EXPECT_EQ(write("admin/kdamonds/nr_kdamonds", "0"), "ok");
}

TEST_F(NoEngineTest, CommandsFailLikeANeverStartedKdamond) {
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  const std::string state = path(kK0, "state");
  EXPECT_EQ(write(state, "on"), "!EINVAL");  // no context
  EXPECT_EQ(write(state, "clear_schemes_tried_regions"), "!EINVAL");
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "1"), "ok");
  EXPECT_EQ(write(state, "on"), "!EINVAL");  // builds, but no operations set is registered
  for (const char* cmd : {"off", "commit", "commit_schemes_quota_goals", "update_schemes_stats",
                          "update_schemes_tried_regions", "update_schemes_tried_bytes",
                          "update_schemes_effective_quotas", "update_tuned_intervals"})
    EXPECT_EQ(write(state, cmd), "!EINVAL") << cmd;
  EXPECT_EQ(write(state, "clear_schemes_tried_regions"), "ok");
  EXPECT_EQ(read(state), "off\n");
}

TEST_F(NoEngineTest, OnReportsSchemeBuildFailures) {
  build_full();
  ASSERT_EQ(write(path(kS0, "core_filters/0/type"), "addr"), "ok");
  ASSERT_EQ(write(path(kS0, "core_filters/0/addr_start"), "8192"), "ok");
  EXPECT_EQ(write(path(kK0, "state"), "on"), "!ENOMEM");
}

}  // namespace
}  // namespace damonfs::fs::test
