#include "fs/fuse/command_line.h"

#include <gtest/gtest.h>

#include <vector>

namespace damonfs::fs {
namespace {

std::optional<std::string> parse(std::vector<const char*> args, CommandLine& out) {
  return parse_command_line(args, out);
}

TEST(CommandLineTest, DefaultsNeedOnlyAMountPoint) {
  CommandLine c;
  ASSERT_EQ(parse({"/mnt/damon"}, c), std::nullopt);
  EXPECT_EQ(c.mountpoint, "/mnt/damon");
  EXPECT_EQ(c.abi, "latest");
  EXPECT_FALSE(c.foreground);
  EXPECT_FALSE(c.debug);
  EXPECT_FALSE(c.uid);
  EXPECT_TRUE(c.mount_options.empty());
  EXPECT_TRUE(c.machine.empty());
}

TEST(CommandLineTest, EveryOption) {
  CommandLine c;
  ASSERT_EQ(parse({"-f", "-o", "allow_other", "-oauto_unmount", "--abi", "6.18", "--uid=1000",
                   "--gid", "100", "--machine", "sim", "--scenario=s.yaml", "m"},
                  c),
            std::nullopt);
  EXPECT_TRUE(c.foreground);
  EXPECT_EQ(c.mount_options, (std::vector<std::string>{"allow_other", "auto_unmount"}));
  EXPECT_EQ(c.abi, "6.18");
  EXPECT_EQ(c.uid, 1000u);
  EXPECT_EQ(c.gid, 100u);
  EXPECT_EQ(c.machine, "sim");
  EXPECT_EQ(c.scenario, "s.yaml");
  EXPECT_EQ(c.mountpoint, "m");
}

TEST(CommandLineTest, SimulatedTime) {
  CommandLine c;
  ASSERT_EQ(parse({"m"}, c), std::nullopt);
  EXPECT_EQ(c.speed, 1);
  EXPECT_FALSE(c.manual_clock);
  EXPECT_FALSE(c.simulated_time()) << "the default is the wall clock";
  ASSERT_EQ(parse({"--speed", "250", "m"}, c), std::nullopt);
  EXPECT_EQ(c.speed, 250);
  EXPECT_TRUE(c.simulated_time());
  ASSERT_EQ(parse({"--speed=1.5", "--clock", "auto", "m"}, c), std::nullopt);
  EXPECT_EQ(c.speed, 1.5);
  ASSERT_EQ(parse({"--clock=manual", "m"}, c), std::nullopt);
  EXPECT_TRUE(c.manual_clock);
  EXPECT_FALSE(c.speed_given);
  EXPECT_TRUE(c.simulated_time());
  ASSERT_EQ(parse({"--clock", "manual", "--speed", "100", "--machine", "sim", "m"}, c),
            std::nullopt);
  EXPECT_TRUE(c.speed_given);
  for (const char* bad : {"0.99", "0", "-3", "fast", "", "nan", "inf", "2x"}) {
    std::optional<std::string> err = parse({"--speed", bad, "m"}, c);
    ASSERT_TRUE(err) << bad;
    EXPECT_NE(err->find("at least 1"), std::string::npos) << *err;
  }
  ASSERT_EQ(parse({"--clock", "from-on", "--speed", "40", "m"}, c), std::nullopt);
  EXPECT_TRUE(c.clock_from_on);
  EXPECT_FALSE(c.manual_clock);
  ASSERT_EQ(parse({"--clock=from-on", "m"}, c), std::nullopt);
  EXPECT_TRUE(c.simulated_time()) << "even at --speed 1: time starts at the first on";
  EXPECT_NE(parse({"--clock", "fast", "m"}, c)->find("'auto', 'manual' or 'from-on'"),
            std::string::npos);
  // Real processes keep wall time.
  for (std::vector<const char*> args : {std::vector<const char*>{"--machine", "host", "--speed", "2", "m"},
                                        std::vector<const char*>{"--clock", "manual", "--machine=host", "m"},
                                        std::vector<const char*>{"--clock", "from-on", "--machine=host", "m"}}) {
    std::optional<std::string> err = parse(args, c);
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("wall time"), std::string::npos) << *err;
  }
  EXPECT_EQ(parse({"--machine", "host", "--speed", "1", "m"}, c), std::nullopt);
}

TEST(CommandLineTest, DebugImpliesForeground) {
  CommandLine c;
  ASSERT_EQ(parse({"-d", "m"}, c), std::nullopt);
  EXPECT_TRUE(c.debug);
  EXPECT_TRUE(c.foreground);
}

TEST(CommandLineTest, HelpAndVersionNeedNoMountPoint) {
  CommandLine c;
  ASSERT_EQ(parse({"--help"}, c), std::nullopt);
  EXPECT_TRUE(c.help);
  ASSERT_EQ(parse({"-V"}, c), std::nullopt);
  EXPECT_TRUE(c.version);
  EXPECT_NE(usage_text("damonfs").find("--abi PROFILE"), std::string::npos);
  EXPECT_NE(usage_text("damonfs").find("6.18"), std::string::npos);
}

TEST(CommandLineTest, BadUsageIsExplained) {
  const std::vector<std::vector<const char*>> bad = {
      {},
      {"a", "b"},
      {"--abi", "5.0", "m"},
      {"--abi"},
      {"--uid", "root", "m"},
      {"--uid", "-1", "m"},
      {"--machine", "vm", "m"},
      {"--machine", "host", "--scenario", "s.yaml", "m"},
      {"-o"},
      {"--frobnicate", "m"},
  };
  for (const auto& args : bad) {
    CommandLine c;
    std::optional<std::string> err = parse(args, c);
    EXPECT_TRUE(err && !err->empty()) << (args.empty() ? "(none)" : args[0]);
  }
}

}  // namespace
}  // namespace damonfs::fs
