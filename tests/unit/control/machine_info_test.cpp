// damonfs/ for a simulated machine: its facts and its ground truth, as
// lines a person (or a test) can check the monitor against.
#include "fs/control/machine_info.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/sim_machine.h"

namespace damonfs::fs {
namespace {

using Lines = std::vector<std::string>;

Lines lines(const std::optional<std::string>& text) {
  Lines out;
  if (!text) return out;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The value after `key` in a "key value ..." line, "" when absent.
std::string field(const std::string& line, const std::string& key) {
  std::istringstream in(line);
  for (std::string k, v; in >> k >> v;)
    if (k == key) return v;
  return "";
}

class MachineInfoTest : public ::testing::Test {
 protected:
  damon::ManualClock clock{1'000'000};
  damon::sim::SimMachine machine{damon::sim::default_scenario(), clock};
  MachineInfo info{machine};

  std::optional<std::string> read(std::vector<std::string> path) const { return info.read(path); }
};

TEST_F(MachineInfoTest, ListsMachineFactsAndTheSimulationsTruth) {
  std::optional<std::vector<InfoEntry>> top = info.list({});
  ASSERT_TRUE(top);
  Lines names;
  for (const InfoEntry& e : *top) names.push_back(e.name + (e.is_dir ? "/" : ""));
  EXPECT_EQ(names, (Lines{"machine", "sampler", "nodes", "processes", "truth/", "perf/"}));
  std::optional<std::vector<InfoEntry>> truth = info.list(std::vector<std::string>{"truth"});
  ASSERT_TRUE(truth);
  ASSERT_EQ(truth->size(), machine.processes().size());
  EXPECT_EQ((*truth)[0].name, std::to_string(machine.processes()[0].pid));
  EXPECT_FALSE(info.list(std::vector<std::string>{"nodes"}));
  EXPECT_FALSE(read({"nothing"}));
}

TEST_F(MachineInfoTest, MachineAndSampler) {
  EXPECT_EQ(read({"machine"}), "sim\n");
  Lines sampler = lines(read({"sampler"}));
  ASSERT_EQ(sampler.size(), 2u);
  EXPECT_EQ(sampler[0], machine.sampler().name);
  EXPECT_EQ(sampler[1], machine.sampler().precision);
}

TEST_F(MachineInfoTest, OneLinePerNode) {
  Lines nodes = lines(read({"nodes"}));
  const std::vector<damon::NodeMemory> truth = machine.nodes();
  ASSERT_EQ(nodes.size(), truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    EXPECT_EQ(field(nodes[i], "node"), std::to_string(truth[i].id));
    EXPECT_EQ(field(nodes[i], "total"), std::to_string(truth[i].total_bytes));
    EXPECT_EQ(field(nodes[i], "free"), std::to_string(truth[i].free_bytes));
    EXPECT_EQ(field(nodes[i], "cpus"), truth[i].has_cpu ? "yes" : "no");
  }
  // The default scenario: DRAM with CPUs, a CPU-less CXL-like node.
  EXPECT_EQ(field(nodes[0], "total"), std::to_string(4ULL << 30));
  EXPECT_EQ(field(nodes[1], "cpus"), "no");
}

TEST_F(MachineInfoTest, ProcessesShowWhetherTheyLive) {
  const int pid = *machine.pid_of("hotcold");
  Lines before = lines(read({"processes"}));
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0], "name hotcold pid " + std::to_string(pid) + " alive yes");
  EXPECT_EQ(field(before[1], "name"), "phaseshift");
  ASSERT_TRUE(machine.kill(pid));
  EXPECT_EQ(field(lines(read({"processes"}))[0], "alive"), "no");
}

TEST_F(MachineInfoTest, TruthDescribesEveryRegionOfAProcess) {
  const int pid = *machine.pid_of("hotcold");
  Lines truth = lines(read({"truth", std::to_string(pid)}));
  const std::vector<damon::sim::RegionTruth> regions = machine.region_truth(pid);
  ASSERT_EQ(truth.size(), regions.size());
  bool saw_hot = false;
  for (size_t i = 0; i < regions.size(); ++i) {
    EXPECT_EQ(field(truth[i], "region"), regions[i].name);
    EXPECT_EQ(field(truth[i], "start"), std::to_string(regions[i].vaddr.start));
    EXPECT_EQ(field(truth[i], "end"), std::to_string(regions[i].vaddr.end));
    EXPECT_EQ(field(truth[i], "phase"), "steady");
    if (regions[i].name != "hot") continue;
    saw_hot = true;
    EXPECT_EQ(field(truth[i], "intensity"), "200");
    EXPECT_EQ(field(truth[i], "pattern"), "random");
    EXPECT_EQ(field(truth[i], "resident"), "0:" + std::to_string(64ULL << 20) + ",1:0");
    EXPECT_EQ(field(truth[i], "nonresident"), "0");
  }
  EXPECT_TRUE(saw_hot);
  EXPECT_FALSE(read({"truth", "1"}));
}

TEST_F(MachineInfoTest, TruthFollowsPhases) {
  const int pid = *machine.pid_of("phaseshift");
  EXPECT_EQ(field(lines(read({"truth", std::to_string(pid)}))[0], "phase"), "a-hot");
  clock.advance(12'000'000);  // into the second 10 s phase
  Lines truth = lines(read({"truth", std::to_string(pid)}));
  for (const std::string& line : truth) {
    EXPECT_EQ(field(line, "phase"), "b-scan");
    if (field(line, "region") == "b") {
      EXPECT_EQ(field(line, "pattern"), "sequential");
    }
  }
}

TEST_F(MachineInfoTest, PerfShowsEachProcesssProgress) {
  const int pid = *machine.pid_of("hotcold");
  clock.advance(2'000'000);
  Lines perf = lines(read({"perf", std::to_string(pid)}));
  ASSERT_EQ(perf.size(), 1u);
  const damon::sim::PerfScore truth = machine.perf(pid);
  EXPECT_EQ(field(perf[0], "seconds"), "2");
  EXPECT_NEAR(std::stod(field(perf[0], "throughput")), truth.accesses / 2, truth.accesses * 1e-5);
  EXPECT_NEAR(std::stod(field(perf[0], "mean_latency_ns")), truth.mean_latency_ns, 0.01);
  EXPECT_GT(truth.throughput, 0);
  EXPECT_EQ(field(perf[0], "numa_hint_faults"), "0");  // no NUMA balancing in the default scenario
  // All of hotcold sits on node 0 in the default scenario.
  const std::string bytes = field(perf[0], "bytes");
  EXPECT_EQ(bytes.substr(bytes.find(',')), ",1:0");
  EXPECT_GT(std::stod(bytes.substr(2)), 0);
  EXPECT_FALSE(read({"perf", "1"}));
  std::optional<std::vector<InfoEntry>> dir = info.list(std::vector<std::string>{"perf"});
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir->size(), machine.processes().size());
}

}  // namespace
}  // namespace damonfs::fs
