// The `state` outcome table (docs/state.md, "Commands") on real kdamonds, for a
// kdamond that never started, one that runs and one that stopped. damon_call
// commands on a stopped kdamond fail with ECANCELED, as the Linux 6.18.44
// recording shows.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/control/control_fixture.h"
#include "tests/unit/kdamond/kdamond_tasks.h"

namespace damonfs::fs::test {
namespace {

const std::vector<std::string> kCallCommands = {
    "commit", "commit_schemes_quota_goals", "update_schemes_stats",
    "update_schemes_effective_quotas", "update_tuned_intervals"};
const std::vector<std::string> kWalkCommands = {"update_schemes_tried_regions",
                                                "update_schemes_tried_bytes"};

using damon::test::kdamond_tasks;
using damon::test::task_name;

class StateCommandsTest : public ControlTest {};

TEST_F(StateCommandsTest, ANeverStartedKdamondOnlyTakesOnAndClear) {
  stage(1);
  for (const std::string& cmd : kCallCommands) EXPECT_EQ(state(0, cmd), "!EINVAL") << cmd;
  for (const std::string& cmd : kWalkCommands) EXPECT_EQ(state(0, cmd), "!EINVAL") << cmd;
  EXPECT_EQ(state(0, "off"), "!EINVAL");
  EXPECT_EQ(state(0, "clear_schemes_tried_regions"), "ok");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "off\n");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/pid"), "-1\n");
}

TEST_F(StateCommandsTest, OnNeedsExactlyOneContext) {
  stage(1);
  ASSERT_EQ(write(kdamond_dir(0) + "/contexts/nr_contexts", "0"), "ok");
  EXPECT_EQ(state(0, "on"), "!EINVAL");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "off\n");
}

TEST_F(StateCommandsTest, ARunningKdamondIsATaskNamedAfterItsIndex) {
  stage(2);
  ASSERT_EQ(state(1, "on"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
  const long long pid0 = fs.number(kdamond_dir(0) + "/pid");
  const long long pid1 = fs.number(kdamond_dir(1) + "/pid");
  EXPECT_NE(pid0, pid1);
  // Numbered by how many kdamonds ran before it, as the kernel does.
  // Listed as pgrep -x would find them.
  EXPECT_EQ(kdamond_tasks("kdamond.0"), std::vector<pid_t>{static_cast<pid_t>(pid1)});
  EXPECT_EQ(kdamond_tasks("kdamond.1"), std::vector<pid_t>{static_cast<pid_t>(pid0)});
  ASSERT_EQ(state(0, "off"), "ok");
  // `off` returned once the task ended; the kernel forgets it right after.
  EXPECT_TRUE(wait_until([&] { return task_name(pid0).empty(); }, 2s));
  EXPECT_TRUE(kdamond_tasks("kdamond.1").empty());
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/pid"), "-1\n");
  EXPECT_EQ(fs.read(kdamond_dir(1) + "/state"), "on\n");
}

TEST_F(StateCommandsTest, ARunningKdamondTakesEveryCommandButOn) {
  stage(1);
  ASSERT_EQ(state(0, "on"), "ok");
  EXPECT_EQ(state(0, "on"), "!EBUSY");
  for (const std::string& cmd : kCallCommands) EXPECT_EQ(state(0, cmd), "ok") << cmd;
  for (const std::string& cmd : kWalkCommands) EXPECT_EQ(state(0, cmd), "ok") << cmd;
  EXPECT_EQ(state(0, "clear_schemes_tried_regions"), "ok");
  EXPECT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "!EBUSY");
  EXPECT_EQ(state(0, "off"), "ok");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "off\n");
}

TEST_F(StateCommandsTest, AStoppedKdamondCancelsCallsAndClearsBeforeRefusingWalks) {
  stage(1);
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_EQ(state(0, "update_schemes_tried_regions"), "ok");
  const std::string tried = scheme_dir(0, 0) + "/tried_regions";
  ASSERT_GT(fs.number(tried + "/total_bytes"), 0);
  ASSERT_EQ(state(0, "off"), "ok");

  EXPECT_EQ(state(0, "off"), "!EPERM");
  for (const std::string& cmd : kCallCommands) EXPECT_EQ(state(0, cmd), "!ECANCELED") << cmd;
  EXPECT_EQ(state(0, "update_schemes_tried_regions"), "!EINVAL");
  EXPECT_EQ(fs.ls(tried), Strings{"total_bytes"});
  EXPECT_EQ(fs.read(tried + "/total_bytes"), "0\n");
  EXPECT_EQ(state(0, "update_schemes_tried_bytes"), "!EINVAL");

  // `on` builds a fresh context and a new thread.
  ASSERT_EQ(state(0, "on"), "ok");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
  EXPECT_GT(fs.number(kdamond_dir(0) + "/pid"), 0);
  EXPECT_EQ(state(0, "update_schemes_stats"), "ok");
}

TEST_F(StateCommandsTest, WithoutExactlyOneContextOnlyOffWorks) {
  stage(1);
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_EQ(write(kdamond_dir(0) + "/contexts/nr_contexts", "0"), "ok");
  for (const std::string& cmd : kCallCommands) EXPECT_EQ(state(0, cmd), "!EINVAL") << cmd;
  for (const std::string& cmd : kWalkCommands) EXPECT_EQ(state(0, cmd), "!EINVAL") << cmd;
  EXPECT_EQ(state(0, "on"), "!EINVAL");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
  EXPECT_EQ(state(0, "off"), "ok");
}

TEST_F(StateCommandsTest, AWaitingCommandHoldsTheGlobalLock) {
  stage(2);
  // A tried-regions walk waits for the scheme's next apply round.
  ASSERT_EQ(write(scheme_dir(0, 0) + "/apply_interval_us", "300000"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  std::optional<std::string> walk;
  fs.write(kdamond_dir(0) + "/state", "update_schemes_tried_regions",
           [&walk](std::string r) { walk = std::move(r); });
  ASSERT_FALSE(walk) << "answered before the kdamond could walk";

  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "!EBUSY");
  EXPECT_EQ(fs.read(kdamond_dir(1) + "/pid"), "!EBUSY");
  EXPECT_EQ(state(1, "on"), "!EBUSY");
  EXPECT_EQ(write(kdamond_dir(1) + "/contexts/nr_contexts", "0"), "!EBUSY");

  ASSERT_TRUE(wait_until([&] { return walk.has_value(); }));
  EXPECT_EQ(*walk, "ok");
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
  EXPECT_EQ(state(1, "on"), "ok");
}

}  // namespace
}  // namespace damonfs::fs::test
