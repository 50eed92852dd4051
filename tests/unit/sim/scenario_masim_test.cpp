#include <gtest/gtest.h>

#include <cmath>

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
  // Laid out as Linux maps them: each right below the one before.
  EXPECT_TRUE(p.regions[1].adjoin && p.regions[2].adjoin);
  // The first phase is masim's bursts: each accesses a (random, over its
  // 100 pages) or c (sequential, 2 pages) alone at the whole rate.
  ASSERT_GT(p.phases.size(), 2u);
  uint64_t first_us = 0;
  for (size_t i = 0; i + 1 < p.phases.size(); ++i) {
    const PhaseSpec& ph = p.phases[i];
    EXPECT_EQ(ph.name, "first phase");
    first_us += ph.duration_us;
    EXPECT_EQ(ph.access[1].intensity, 0);
    EXPECT_NE(ph.access[0].intensity == 0, ph.access[2].intensity == 0) << "one region at a time";
    if (ph.access[0].intensity) {
      EXPECT_EQ(ph.access[0].pattern, Pattern::random);
      EXPECT_DOUBLE_EQ(ph.access[0].intensity, kDefaultAccessRate / 100);
    } else {
      EXPECT_EQ(ph.access[2].pattern, Pattern::sequential);
      EXPECT_DOUBLE_EQ(ph.access[2].intensity, kDefaultAccessRate / 2);
    }
  }
  EXPECT_EQ(first_us, 1000000u);
  // A lone access line takes all the accesses whatever its probability.
  EXPECT_EQ(p.phases.back().name, "second phase");
  EXPECT_EQ(p.phases.back().duration_us, 2000000u);
  EXPECT_DOUBLE_EQ(p.phases.back().access[1].intensity, kDefaultAccessRate);
  EXPECT_EQ(s.machine.nodes.size(), default_machine().nodes.size());
}

// hot gets 95 % of the accesses at ten times cold's speed: cold's bursts
// take (0.05 / 1) / (0.95 / 10 + 0.05 / 1) = 34.5 % of the time, each
// kMasimBurst accesses long (a pick of the same line again lengthens it).
TEST(ScenarioMasim, BurstsLastTheirRegionsAccessesAtItsRate) {
  ProcessSpec p;
  MasimRates rates;
  rates.per_region = {{"hot", 4e6}, {"cold", 4e5}};
  parse_masim_process("hot, 4096000\ncold, 40960000\n\nbusy\n600000\nhot, 1, 4096, 95\ncold, 1, 4096, 5\n", "h.cfg",
                      rates, p);
  const double cold_burst_us = kMasimBurst / 4e5 * 1e6;
  uint64_t total = 0, cold = 0;
  for (size_t i = 0; i < p.phases.size(); ++i) {
    const PhaseSpec& ph = p.phases[i];
    total += ph.duration_us;
    if (ph.access[1].intensity == 0) {
      EXPECT_DOUBLE_EQ(ph.access[0].intensity, 4e6 / 1000);
      continue;
    }
    EXPECT_EQ(ph.access[0].intensity, 0);
    EXPECT_DOUBLE_EQ(ph.access[1].intensity, 4e5 / 10000);
    cold += ph.duration_us;
    if (i + 1 < p.phases.size()) {  // the last may be cut short by the phase's end
      const double bursts = static_cast<double>(ph.duration_us) / cold_burst_us;
      EXPECT_NEAR(bursts, std::round(bursts), 1e-3) << "phase " << i;
    }
  }
  EXPECT_EQ(total, 600000000u);
  EXPECT_NEAR(static_cast<double>(cold) / static_cast<double>(total), 0.345, 0.02);
  // The same configuration always gives the same bursts.
  ProcessSpec again;
  parse_masim_process("hot, 4096000\ncold, 40960000\n\nbusy\n600000\nhot, 1, 4096, 95\ncold, 1, 4096, 5\n", "h.cfg",
                      rates, again);
  ASSERT_EQ(again.phases.size(), p.phases.size());
  for (size_t i = 0; i < p.phases.size(); ++i) EXPECT_EQ(again.phases[i].duration_us, p.phases[i].duration_us);
}

TEST(ScenarioMasim, AVeryLongPhaseGetsLongerBurstsNotMorePhases) {
  ProcessSpec p;
  parse_masim_process("a, 4096\nb, 4096\n\nlong\n86400000\na, 1, 64, 1\nb, 1, 64, 1\n", "l.cfg", MasimRates{}, p);
  EXPECT_LE(p.phases.size(), 1u << 16);
  uint64_t total = 0;
  for (const PhaseSpec& ph : p.phases) total += ph.duration_us;
  EXPECT_EQ(total, 86400000000u);
}

TEST(ScenarioMasim, ProcessNameIsTheFileStemCutLikeComm) {
  const Scenario s = parse_masim_scenario("a, 4096\n\np\n10\na, 1, 64, 1\n", "/x/a_very_long_config_name.masim");
  EXPECT_EQ(s.name, "a_very_long_config_name");
  EXPECT_EQ(s.processes[0].name, "a_very_long_con");
}

TEST(ScenarioMasim, ARegionOfWhole2MiBStartsOnABoundary) {
  const Scenario s = parse_masim_scenario("a, 4096\nb, 4194304\n\np\n10\na, 1, 64, 1\n", "a.cfg");
  EXPECT_FALSE(s.processes[0].regions[1].adjoin);
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
  ProcessSpec p;
  MasimRates rates;
  rates.per_region["b"] = 1e6;
  EXPECT_THROW(
      try { parse_masim_process("a, 4096\n\np\n10\na, 1, 64, 1\n", "r.cfg", rates, p); } catch (const ScenarioError& e) {
        EXPECT_STREQ(e.what(), "r.cfg: a rate is given for region 'b', which the configuration lacks");
        throw;
      },
      ScenarioError);
}

}  // namespace
}  // namespace damon::sim
