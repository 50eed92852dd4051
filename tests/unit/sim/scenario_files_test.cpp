// The built-in default and the example scenarios shipped in scenarios/.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "engine/machine/sim/scenario.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ScenarioFiles, DefaultYamlMirrorsTheBuiltIn) {
  EXPECT_EQ(slurp(test::scenarios_dir() / "default.yaml"), default_scenario_yaml());
}

TEST(ScenarioFiles, BuiltInDefaultHasDramAndCxlAndTwoProcesses) {
  const Scenario s = default_scenario();
  ASSERT_EQ(s.machine.nodes.size(), 2u);
  EXPECT_TRUE(s.machine.nodes[0].has_cpu);
  EXPECT_FALSE(s.machine.nodes[1].has_cpu);
  EXPECT_GT(s.machine.nodes[1].latency_ns, s.machine.nodes[0].latency_ns);
  // The conformance probe monitors paddr [4 GiB, 5 GiB).
  EXPECT_LE(s.machine.phys_base, 4 * kGiB);
  EXPECT_GE(s.machine.phys_base + s.machine.nodes[0].capacity, 5 * kGiB);
  ASSERT_EQ(s.processes.size(), 2u);
  EXPECT_NE(s.processes[0].name, s.processes[1].name);
}

TEST(ScenarioFiles, ExamplesLoad) {
  const Scenario tiering = load_scenario((test::scenarios_dir() / "tiering.yaml").string());
  uint64_t workload = 0;
  for (const RegionSpec& r : tiering.processes[0].regions) workload += r.size;
  EXPECT_GT(workload, tiering.machine.nodes[0].capacity);  // does not fit in DRAM
  EXPECT_GT(tiering.processes[0].phases.size(), 1u);

  const Scenario hot10 = load_scenario((test::scenarios_dir() / "hot10.masim").string());
  ASSERT_EQ(hot10.processes.size(), 1u);
  EXPECT_EQ(hot10.processes[0].name, "hot10");
  uint64_t total = 0;
  for (const RegionSpec& r : hot10.processes[0].regions) total += r.size;
  EXPECT_NEAR(static_cast<double>(hot10.processes[0].regions[0].size) / static_cast<double>(total), 0.1, 0.001);
  EXPECT_NEAR(static_cast<double>(total), 4.0 * kGiB, 2.0);
}

TEST(ScenarioFiles, FormatIsSniffedWithoutAKnownExtension) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto yaml = dir / ("sniff-yaml-" + std::to_string(getpid()));
  const auto masim = dir / ("sniff-masim-" + std::to_string(getpid()));
  std::ofstream(yaml) << "processes: []\n";
  std::ofstream(masim) << "a, 4096\n\np\n10\na, 1, 64, 1\n";
  EXPECT_TRUE(load_scenario(yaml.string()).processes.empty());
  EXPECT_EQ(load_scenario(masim.string()).processes.size(), 1u);
  std::filesystem::remove(yaml);
  std::filesystem::remove(masim);
}

TEST(ScenarioFiles, MissingFileSaysSo) {
  try {
    load_scenario("/nonexistent/x.yaml");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/x.yaml: cannot read: No such file or directory");
  }
}

// What load_scenario says about `path`, or "" when it loads.
std::string load_error(const std::string& path) {
  try {
    load_scenario(path);
    return "";
  } catch (const ScenarioError& e) {
    return e.what();
  }
}

TEST(ScenarioFiles, OnlyRegularFilesOfBoundedSizeAreRead) {
  EXPECT_EQ(load_error("/dev/zero"), "/dev/zero: not a regular file");
  EXPECT_EQ(load_error("/tmp"), "/tmp: not a regular file");
  const std::filesystem::path big =
      std::filesystem::temp_directory_path() / ("damonfs-big-" + std::to_string(getpid()) + ".yaml");
  {
    std::ofstream out(big);
    out << "name: big\n#" << std::string(1 << 20, 'x') << "\n";
  }
  EXPECT_EQ(load_error(big.string()),
            big.string() + ": too large for a scenario (more than 1048576 bytes)");
  std::filesystem::remove(big);
}

}  // namespace
}  // namespace damon::sim
