// `commit` on a running kdamond: the staged context is validated first and a
// refusal leaves the running one exactly as it was (docs/state.md, "on" and
// "commit"). What runs is read back with update_tuned_intervals, which writes
// the running intervals into the files.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/control/control_fixture.h"

namespace damonfs::fs::test {
namespace {

class CommitTest : public ControlTest {
 protected:
  void SetUp() override {
    stage(1);
    ASSERT_EQ(state(0, "on"), "ok");
    pid = fs.read(kdamond_dir(0) + "/pid");
  }

  // Stages new intervals, to tell whether a commit reached the kdamond.
  void stage_intervals(uint64_t sample_us, uint64_t aggr_us) {
    ASSERT_EQ(write(intervals + "/sample_us", std::to_string(sample_us)), "ok");
    ASSERT_EQ(write(intervals + "/aggr_us", std::to_string(aggr_us)), "ok");
  }

  // The intervals the kdamond runs with, "sample_us/aggr_us".
  std::string running_intervals() {
    if (state(0, "update_tuned_intervals") != "ok") return "?";
    return std::to_string(fs.number(intervals + "/sample_us")) + "/" +
           std::to_string(fs.number(intervals + "/aggr_us"));
  }

  const std::string intervals = context_dir(0) + "/monitoring_attrs/intervals";
  std::string pid;
};

TEST_F(CommitTest, AppliesTheStagedContextOnline) {
  stage_intervals(2000, 40000);
  EXPECT_EQ(state(0, "commit"), "ok");
  EXPECT_EQ(running_intervals(), "2000/40000");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/pid"), pid);  // the same thread
}

TEST_F(CommitTest, AnInvalidContextIsRefusedWithEinvalAndNothingChanges) {
  stage_intervals(2000, 40000);
  ASSERT_EQ(write(context_dir(0) + "/monitoring_attrs/nr_regions/min", "2"), "ok");
  EXPECT_EQ(state(0, "commit"), "!EINVAL");
  EXPECT_EQ(running_intervals(), "1000/20000");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/pid"), pid);
}

TEST_F(CommitTest, AnUnbuildableSchemeIsRefusedWithEnomemAndNothingChanges) {
  stage_intervals(2000, 40000);
  const std::string filters = scheme_dir(0, 0) + "/filters";
  ASSERT_EQ(write(filters + "/nr_filters", "1"), "ok");
  ASSERT_EQ(write(filters + "/0/type", "addr"), "ok");
  ASSERT_EQ(write(filters + "/0/addr_start", "8192"), "ok");
  ASSERT_EQ(write(filters + "/0/addr_end", "4096"), "ok");
  EXPECT_EQ(state(0, "commit"), "!ENOMEM");
  EXPECT_EQ(running_intervals(), "1000/20000");
}

TEST_F(CommitTest, ContextErrorsComeBeforeSchemeErrors) {
  const std::string filters = scheme_dir(0, 0) + "/filters";
  ASSERT_EQ(write(filters + "/nr_filters", "1"), "ok");
  ASSERT_EQ(write(filters + "/0/type", "addr"), "ok");
  ASSERT_EQ(write(filters + "/0/addr_start", "8192"), "ok");
  ASSERT_EQ(write(context_dir(0) + "/targets/nr_targets", "2"), "ok");  // paddr takes one
  EXPECT_EQ(state(0, "commit"), "!EINVAL");
}

TEST_F(CommitTest, AVanishedTargetProcessIsRefusedWithEinval) {
  const int pid = pid_of("hotcold");
  ASSERT_GT(pid, 0);
  ASSERT_EQ(write(context_dir(0) + "/operations", "vaddr"), "ok");
  ASSERT_EQ(write(context_dir(0) + "/targets/0/pid_target", std::to_string(pid)), "ok");
  ASSERT_TRUE(machine.kill(pid));
  stage_intervals(2000, 40000);
  EXPECT_EQ(state(0, "commit"), "!EINVAL");
  EXPECT_EQ(running_intervals(), "1000/20000");
}

TEST_F(CommitTest, StatsSurviveACommit) {
  const std::string nr_tried = scheme_dir(0, 0) + "/stats/nr_tried";
  ASSERT_TRUE(stats_until(0, [&] { return fs.number(nr_tried) > 0; }));
  const long long before = fs.number(nr_tried);
  stage_intervals(2000, 40000);
  ASSERT_EQ(state(0, "commit"), "ok");
  ASSERT_EQ(state(0, "update_schemes_stats"), "ok");
  EXPECT_GE(fs.number(nr_tried), before);
}

}  // namespace
}  // namespace damonfs::fs::test
