#include <gtest/gtest.h>

#include "engine/machine/sim/scenario.h"

namespace damon::sim {
namespace {

// The shape of masim's own sample configuration: comments, data-file
// column, read/write modes.
constexpr const char* kConfig = R"(#regions
# name, length, initial data file
a, 409600, none
b, 4096, none
c, 8192

# phase 1
first phase
# time in ms
1000
a, 1, 64, 80, wo
c, 0, 4096, 20

second phase
2000
b, 1, 64, 50, ro
)";

std::string error_of(const std::string& text) {
  try {
    parse_masim_scenario(text, "cfg/x.cfg");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

TEST(ScenarioMasim, RegionsAndPhasesAsMasimReadsThem) {
  const Scenario s = parse_masim_scenario(kConfig, "configs/default.cfg");
  ASSERT_EQ(s.processes.size(), 1u);
  const ProcessSpec& p = s.processes[0];
  EXPECT_EQ(p.name, "default");
  ASSERT_EQ(p.regions.size(), 3u);
  EXPECT_EQ(p.regions[0].size, 409600u);
  ASSERT_EQ(p.phases.size(), 2u);
  EXPECT_EQ(p.phases[0].name, "first phase");
  EXPECT_EQ(p.phases[0].duration_us, 1000000u);
  // 80% of kDefaultAccessRate over a's 100 pages; c sequential with 20%.
  EXPECT_DOUBLE_EQ(p.phases[0].access[0].intensity, kDefaultAccessRate * 0.8 / 100);
  EXPECT_EQ(p.phases[0].access[0].pattern, Pattern::random);
  EXPECT_EQ(p.phases[0].access[1].intensity, 0);
  EXPECT_EQ(p.phases[0].access[2].pattern, Pattern::sequential);
  EXPECT_DOUBLE_EQ(p.phases[0].access[2].intensity, kDefaultAccessRate * 0.2 / 2);
  // A lone access line takes all the accesses whatever its probability.
  EXPECT_DOUBLE_EQ(p.phases[1].access[1].intensity, kDefaultAccessRate);
  EXPECT_EQ(s.machine.nodes.size(), default_machine().nodes.size());
}

TEST(ScenarioMasim, ProcessNameIsTheFileStemCutLikeComm) {
  const Scenario s = parse_masim_scenario("a, 4096\n\np\n10\na, 1, 64, 1\n", "/x/a_very_long_config_name.masim");
  EXPECT_EQ(s.name, "a_very_long_config_name");
  EXPECT_EQ(s.processes[0].name, "a_very_long_con");
}

TEST(ScenarioMasim, ZeroTimePhasesAreLeftOut) {
  const Scenario s = parse_masim_scenario("a, 4096\n\nnone\n0\na, 1, 64, 1\n\nsome\n5\na, 1, 64, 1\n", "z.cfg");
  ASSERT_EQ(s.processes[0].phases.size(), 1u);
  EXPECT_EQ(s.processes[0].phases[0].name, "some");
}

TEST(ScenarioMasim, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("a\n\np\n10\na, 1, 64, 1\n"), "cfg/x.cfg:1: region lines are 'name, length[, initial data file]'");
  EXPECT_EQ(error_of("a, 4096\n\np\nsoon\na, 1, 64, 1\n"),
            "cfg/x.cfg:4: phase time: expected a non-negative integer, got 'soon'");
  EXPECT_EQ(error_of("# c\na, 4096\n\np\n10\nb, 1, 64, 1\n"), "cfg/x.cfg:6: no region named 'b'");
  EXPECT_EQ(error_of("a, 4096\n\np\n10\na, 1, 64\n"),
            "cfg/x.cfg:5: access lines are 'region, randomness, stride, probability[, ro|wo|rw]'");
  EXPECT_EQ(error_of("a, 4096\n\np\n10\na, 1, 64, 1, rx\n"), "cfg/x.cfg:5: read/write mode must be ro, wo or rw, got 'rx'");
  EXPECT_EQ(error_of("a, 4096\n\np\n10\n"), "cfg/x.cfg:3: a phase is its name, its time in ms, then at least one access line");
  EXPECT_EQ(error_of("a, 4096\n"), "cfg/x.cfg: no phase with a positive run time after the regions paragraph");
  EXPECT_EQ(error_of("a, 4096\n\np\n10\na, 1, 64, 1\na, 0, 64, 1\n"),
            "cfg/x.cfg:6: region 'a' is accessed twice in this phase with different patterns (not simulated)");
}

}  // namespace
}  // namespace damon::sim
