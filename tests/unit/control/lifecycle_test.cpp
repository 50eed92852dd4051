// How kdamonds end: `off`, stopping by themselves when every target process is
// gone (docs/engine.md, "When a kdamond stops"), and nr_kdamonds rewrites
// freeing the stopped contexts (docs/state.md, "States").
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "tests/unit/control/control_fixture.h"

namespace damonfs::fs::test {
namespace {

class LifecycleTest : public ControlTest {
 protected:
  bool state_reads_off(int k) { return fs.read(kdamond_dir(k) + "/state") == "off\n"; }
};

TEST_F(LifecycleTest, RewritingNrKdamondsForgetsStoppedKdamonds) {
  stage(1);
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_EQ(state(0, "off"), "ok");
  ASSERT_EQ(state(0, "off"), "!EPERM");  // stopped, context kept
  ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
  stage_context(0, {});
  // Never started again: the old context is gone with its directory.
  EXPECT_EQ(state(0, "off"), "!EINVAL");
  EXPECT_EQ(state(0, "update_schemes_stats"), "!EINVAL");
  EXPECT_EQ(state(0, "on"), "ok");
}

TEST_F(LifecycleTest, AVaddrKdamondStopsWhenItsProcessIsKilled) {
  const int pid = pid_of("hotcold");
  ASSERT_GT(pid, 0);
  stage(1, {.ops = "vaddr", .pid = pid});
  ASSERT_EQ(state(0, "on"), "ok");
  pump(50ms);
  ASSERT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");

  ASSERT_TRUE(machine.kill(pid));
  ASSERT_TRUE(wait_until([&] { return state_reads_off(0); }, 5s));
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/pid"), "-1\n");
  EXPECT_EQ(state(0, "off"), "!EPERM");
  EXPECT_EQ(state(0, "commit"), "!ECANCELED");
  EXPECT_EQ(state(0, "on"), "!EINVAL");  // no such process any more
  EXPECT_EQ(write("admin/kdamonds/nr_kdamonds", "0"), "ok");
}

TEST_F(LifecycleTest, OnlyTheKdamondWatchingTheKilledProcessStops) {
  stage(2, {.ops = "vaddr", .pid = pid_of("hotcold")});
  stage_context(1, {.ops = "vaddr", .pid = pid_of("phaseshift")});
  ASSERT_EQ(state(0, "on"), "ok");
  ASSERT_EQ(state(1, "on"), "ok");
  ASSERT_TRUE(machine.kill(pid_of("phaseshift")));
  ASSERT_TRUE(wait_until([&] { return state_reads_off(1); }, 5s));
  pump(100ms);
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
  EXPECT_EQ(state(0, "update_schemes_stats"), "ok");
}

TEST_F(LifecycleTest, APendingWalkIsCancelledWhenTheKdamondStopsByItself) {
  const int pid = pid_of("hotcold");
  stage(1, {.ops = "vaddr", .pid = pid});
  // The walk would wait an hour for the scheme's next apply round.
  ASSERT_EQ(write(scheme_dir(0, 0) + "/apply_interval_us", "3600000000"), "ok");
  ASSERT_EQ(state(0, "on"), "ok");
  std::optional<std::string> walk;
  fs.write(kdamond_dir(0) + "/state", "update_schemes_tried_regions",
           [&walk](std::string r) { walk = std::move(r); });
  pump(100ms);
  ASSERT_FALSE(walk) << *walk;
  ASSERT_TRUE(machine.kill(pid));
  ASSERT_TRUE(wait_until([&] { return walk.has_value(); }, 5s));
  EXPECT_EQ(*walk, "!ECANCELED");
  // The thread's exit reaches `state` right after, as in the kernel, where
  // the walk is cancelled just before the kdamond lets go of its context.
  EXPECT_TRUE(wait_until([&] { return state_reads_off(0); }, 1s));
}

TEST_F(LifecycleTest, APaddrKdamondRunsUntilTurnedOff) {
  stage(1);
  ASSERT_EQ(state(0, "on"), "ok");
  for (const damon::sim::SimProcessInfo& p : machine.processes()) machine.kill(p.pid);
  pump(200ms);
  EXPECT_EQ(fs.read(kdamond_dir(0) + "/state"), "on\n");
  EXPECT_EQ(state(0, "off"), "ok");
}

}  // namespace
}  // namespace damonfs::fs::test
