#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "engine/machine/sim/scenario.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

constexpr const char* kFull = R"(name: full
seed: 7
machine:
  phys_base: 8GiB
  fault_latency: 50us
  nodes:
    - {id: 0, capacity: 2GiB, latency: 90ns, cpus: true, reserved: 128MiB}
    - {id: 2, capacity: 4GiB, latency: 300, cpus: false, movable: true}
processes:
  - name: app
    cgroup: /jobs/app
    node: 0
    loop: false
    regions:
      - {name: hot, size: 64MiB, intensity: 100, thp: true, lru: active}
      - {name: log, size: 16MiB, file: /var/log/app.log, node: 2}
    phases:
      - name: warm
        duration: 500
        access:
          hot: 10
          log: {intensity: 2, pattern: sequential, stride: 64}
      - name: run
        duration: 2s
)";

// Parses `text` expecting an error; returns its message.
std::string error_of(const std::string& text, const std::string& file = "t.yaml") {
  try {
    parse_yaml_scenario(text, file);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

TEST(ScenarioYaml, ParsesEveryKey) {
  const Scenario s = parse_yaml_scenario(kFull, "full.yaml");
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.machine.phys_base, 8 * kGiB);
  EXPECT_EQ(s.machine.fault_latency_ns, 50000u);
  ASSERT_EQ(s.machine.nodes.size(), 2u);
  EXPECT_EQ(s.machine.nodes[0].reserved, 128 * kMiB);
  EXPECT_FALSE(s.machine.nodes[0].movable);
  EXPECT_TRUE(s.machine.nodes[1].movable);
  EXPECT_EQ(s.machine.nodes[1].id, 2);
  EXPECT_EQ(s.machine.nodes[1].latency_ns, 300u);
  EXPECT_FALSE(s.machine.nodes[1].has_cpu);

  ASSERT_EQ(s.processes.size(), 1u);
  const ProcessSpec& p = s.processes[0];
  EXPECT_EQ(p.cgroup, "/jobs/app");
  EXPECT_EQ(p.node, 0);
  EXPECT_FALSE(p.loop);
  ASSERT_EQ(p.regions.size(), 2u);
  EXPECT_TRUE(p.regions[0].thp);
  EXPECT_TRUE(p.regions[0].active);
  EXPECT_EQ(p.regions[1].file, "/var/log/app.log");
  EXPECT_EQ(p.regions[1].node, 2);

  ASSERT_EQ(p.phases.size(), 2u);
  EXPECT_EQ(p.phases[0].duration_us, 500000u);
  EXPECT_EQ(p.phases[0].access[0].intensity, 10);
  EXPECT_EQ(p.phases[0].access[1].pattern, Pattern::sequential);
  EXPECT_EQ(p.phases[0].access[1].stride, 64u);
  // A phase that does not name a region uses the region's own keys.
  EXPECT_EQ(p.phases[1].access[0].intensity, 100);
  EXPECT_EQ(p.phases[1].access[1].intensity, 0);
}

TEST(ScenarioYaml, DefaultsWithoutMachineOrPhases) {
  const Scenario s = parse_yaml_scenario("processes:\n  - name: p\n    regions: [{name: r, size: 4096, intensity: 3}]\n",
                                         "dir/small.yaml");
  EXPECT_EQ(s.name, "small");
  EXPECT_EQ(s.machine.nodes.size(), default_machine().nodes.size());
  ASSERT_EQ(s.processes[0].phases.size(), 1u);
  EXPECT_EQ(s.processes[0].phases[0].duration_us, 0u);  // endless
  EXPECT_EQ(s.processes[0].phases[0].access[0].intensity, 3);
  EXPECT_TRUE(s.processes[0].loop);
}

TEST(ScenarioYaml, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("machine:\n  nodes:\n    - {id: 0, capacity: 1GiB, colour: red}\n"),
            "t.yaml:3: unknown key 'colour' (expected one of: id, capacity, latency, cpus, reserved, movable, bandwidth)");
  EXPECT_EQ(error_of("processes:\n  - name: p\n    regions:\n      - {name: r, size: lots}\n"),
            "t.yaml:4: size: expected a size like 512MiB or 4GiB, got 'lots'");
  EXPECT_EQ(error_of("processes:\n  - name: p\n    regions: [{name: r, size: 1M}]\n    phases:\n"
                     "      - duration: 1s\n        access: {q: 1}\n"),
            "t.yaml:6: access: process 'p' has no region 'q'");
  EXPECT_EQ(error_of("processes:\n  - name: averyveryverylongname\n"),
            "t.yaml:2: name: must be 1 to 15 characters (the kernel's comm), got 'averyveryverylongname'");
  EXPECT_EQ(error_of("processes:\n  - name: p\n    node: 5\n"), "t.yaml:3: node: no node with id 5");
  EXPECT_EQ(error_of("processes: [\n"), "t.yaml:2: end of sequence flow not found");
  EXPECT_EQ(error_of("- a\n- b\n"), "t.yaml:1: the top level must be a mapping of name, seed, machine, processes");
}

TEST(ScenarioYaml, OnlyTheLastPhaseMayBeEndless) {
  const std::string e = error_of(
      "processes:\n  - name: p\n    regions: [{name: r, size: 1M}]\n    phases:\n      - name: a\n"
      "      - name: b\n        duration: 1s\n");
  EXPECT_EQ(e, "t.yaml:5: phase 'a' has no duration: only the last phase may be endless");
}

TEST(ScenarioYaml, CrossChecksReportTheFile) {
  EXPECT_EQ(error_of("machine:\n  nodes:\n    - {id: 0, capacity: 1GiB, cpus: false}\n"),
            "t.yaml: no node has CPUs: processes need somewhere to run");
}

TEST(ScenarioYaml, MasimProcessIsReadRelativeToTheScenario) {
  const auto dir = std::filesystem::temp_directory_path() / ("sim-yaml-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "w.cfg") << "a, 8192\nb, 4096\n\nonly\n1000\na, 1, 64, 3\nb, 0, 4096, 1\n";
  std::ofstream(dir / "bad.cfg") << "a, 8192\n\nonly\n1000\nz, 1, 64, 3\n";
  const Scenario s = parse_yaml_scenario(
      "processes:\n  - name: m\n    masim: w.cfg\n    access_rate: 4000\n    loop: false\n", (dir / "s.yaml").string());
  const ProcessSpec& p = s.processes[0];
  ASSERT_EQ(p.regions.size(), 2u);
  EXPECT_FALSE(p.loop);
  EXPECT_FALSE(p.regions[0].thp);
  // At 4000 accesses/s a burst of masim's outlasts the 1 s phase: one
  // region is accessed all along, at the whole rate (a over 2 pages, b's
  // sequential sweep over its one page).
  ASSERT_EQ(p.phases.size(), 1u);
  const Access& a = p.phases[0].access[0];
  const Access& b = p.phases[0].access[1];
  EXPECT_TRUE(a.intensity == 2000 || (b.pattern == Pattern::sequential && b.intensity == 4000));
  EXPECT_TRUE(a.intensity == 0 || b.intensity == 0);

  // Per-region rates and THP for the whole configuration.
  const Scenario r = parse_yaml_scenario(
      "processes:\n  - name: m\n    masim: w.cfg\n    access_rates: {a: 2e6, b: 1e6}\n    thp: true\n"
      "    program_accesses: false\n",
      (dir / "s.yaml").string());
  const ProcessSpec& q = r.processes[0];
  EXPECT_TRUE(q.regions[0].thp && q.regions[1].thp);
  EXPECT_TRUE(p.program_accesses);
  EXPECT_FALSE(q.program_accesses);
  ASSERT_GT(q.phases.size(), 1u);
  for (const PhaseSpec& ph : q.phases) {
    EXPECT_TRUE(ph.access[0].intensity == 1e6 || ph.access[1].intensity == 1e6) << ph.duration_us;
  }
  // Rates per phase of the configuration: a list.
  const Scenario l = parse_yaml_scenario(
      "processes:\n  - name: m\n    masim: w.cfg\n    access_rates:\n      - {a: 3e6}\n", (dir / "s.yaml").string());
  bool a_seen = false;
  for (const PhaseSpec& ph : l.processes[0].phases) {
    if (ph.access[0].intensity) {
      EXPECT_DOUBLE_EQ(ph.access[0].intensity, 1.5e6);
    }
    if (ph.access[1].intensity) {
      EXPECT_DOUBLE_EQ(ph.access[1].intensity, kDefaultAccessRate);
    }
    a_seen = a_seen || ph.access[0].intensity;
  }
  EXPECT_TRUE(a_seen);
  EXPECT_EQ(error_of("processes:\n  - name: m\n    masim: w.cfg\n    access_rates: [{a: 1}, {a: 1}]\n",
                     (dir / "s.yaml").string()),
            (dir / "s.yaml").string() + ":3: masim: " + (dir / "w.cfg").string() +
                ": rates are given for 2 phases, the configuration has 1");
  EXPECT_EQ(error_of("processes:\n  - name: m\n    regions: [{name: a, size: 4096}]\n    thp: true\n"),
            "t.yaml:4: thp: only used with masim");

  const std::string e = error_of("processes:\n  - name: m\n    masim: bad.cfg\n", (dir / "s.yaml").string());
  EXPECT_EQ(e, (dir / "s.yaml").string() + ":3: masim: " + (dir / "bad.cfg").string() + ":5: no region named 'z'");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace damon::sim

namespace damon::sim {
namespace {

TEST(ScenarioYamlPerformance, BandwidthNumaBalancingAndThreads) {
  const Scenario s = parse_yaml_scenario(R"(
machine:
  numa_balancing: tiering
  numa_scan_size: 2MiB
  migration_bandwidth: 5GB/s
  nodes:
    - {id: 0, capacity: 1GiB, bandwidth: 72GB/s}
    - {id: 1, capacity: 1GiB, cpus: false, bandwidth: 26 GB/s}
processes:
  - {name: p, threads: 4, regions: [{name: a, size: 4MiB}]}
)",
                                         "t.yaml");
  EXPECT_TRUE(s.machine.numa_balancing);
  EXPECT_EQ(s.machine.numa_scan_size, 2 * kMiB);
  EXPECT_EQ(s.machine.migration_bandwidth, 5e9);
  EXPECT_EQ(s.machine.nodes[0].bandwidth, 72e9);
  EXPECT_EQ(s.machine.nodes[1].bandwidth, 26e9);
  EXPECT_TRUE(s.machine.bandwidth_limited());
  EXPECT_EQ(s.processes[0].threads, 4u);
  // NUMA balancing charges its stalls through the bandwidth model.
  EXPECT_THROW(parse_yaml_scenario("machine:\n  numa_balancing: tiering\n  nodes:\n    - {id: 0, capacity: 1GiB}\n",
                                   "t.yaml"),
               ScenarioError);
  EXPECT_THROW(parse_yaml_scenario("machine:\n  numa_balancing: 2\n  nodes:\n    - {id: 0, capacity: 1GiB}\n",
                                   "t.yaml"),
               ScenarioError);
  EXPECT_THROW(parse_yaml_scenario("machine:\n  nodes:\n    - {id: 0, capacity: 1GiB, bandwidth: fast}\n", "t.yaml"),
               ScenarioError);
}

}  // namespace
}  // namespace damon::sim
