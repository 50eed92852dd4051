// Profiles before 6.14 (kDamonCallCommands): the state commands of a
// kernel whose running kdamond serves them, as recorded on Linux 6.12.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/control/control_fixture.h"

namespace damonfs::fs::test {
namespace {

class LegacyCommandsTest : public ControlTest {
 protected:
  LegacyCommandsTest() : ControlTest("6.12") {}
  void SetUp() override { stage(1); }
};

TEST_F(LegacyCommandsTest, ClearingTriedRegionsNeedsARunningKdamond) {
  EXPECT_EQ(state(0, "clear_schemes_tried_regions"), "!EINVAL");
  ASSERT_EQ(state(0, "on"), "ok");
  EXPECT_EQ(state(0, "clear_schemes_tried_regions"), "ok");
  ASSERT_EQ(state(0, "off"), "ok");
  EXPECT_EQ(state(0, "clear_schemes_tried_regions"), "!EINVAL");
}

TEST_F(LegacyCommandsTest, CommandsToAStoppedKdamondAreEinval) {
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_EQ(state(0, "off"), "ok");
  for (const char* cmd : {"commit", "commit_schemes_quota_goals", "update_schemes_stats",
                          "update_schemes_effective_quotas"})
    EXPECT_EQ(state(0, cmd), "!EINVAL") << cmd;
  EXPECT_EQ(state(0, "off"), "!EPERM");
}

TEST_F(LegacyCommandsTest, AFailedCommitIsAcceptedAndEndsTheKdamond) {
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_EQ(write(context_dir(0) + "/monitoring_attrs/nr_regions/min", "2"), "ok");
  EXPECT_EQ(state(0, "commit"), "ok");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "off\n");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/pid"), "-1\n");
  EXPECT_EQ(state(0, "update_schemes_stats"), "!EINVAL");
  EXPECT_EQ(state(0, "off"), "!EPERM");
}

TEST_F(LegacyCommandsTest, AValidCommitKeepsTheKdamondRunning) {
  ASSERT_EQ(state(0, "on"), "ok");
  const std::string pid = fs.read(kdamond_dir(0) + "/pid");
  EXPECT_EQ(state(0, "commit"), "ok");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/pid"), pid);
}

// From 6.14 the same failures reach the writer.
TEST_F(ControlTest, From6_14AFailedCommitIsRefusedAndTheKdamondRuns) {
  stage(1);
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_EQ(write(context_dir(0) + "/monitoring_attrs/nr_regions/min", "2"), "ok");
  EXPECT_EQ(state(0, "commit"), "!EINVAL");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
  ASSERT_EQ(state(0, "off"), "ok");
  EXPECT_EQ(state(0, "commit"), "!ECANCELED");
  EXPECT_EQ(state(0, "clear_schemes_tried_regions"), "ok");
}

}  // namespace
}  // namespace damonfs::fs::test
