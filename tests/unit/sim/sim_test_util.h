// Small scenarios built in code for the simulator's tests.
#pragma once

#include <filesystem>
#include <string>

#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/sim_machine.h"

namespace damon::sim::test {

inline constexpr uint64_t kPage = 4096;

// The repository's scenarios/ directory.
inline std::filesystem::path scenarios_dir() {
  return DAMONFS_SCENARIOS_DIR;
}

// DRAM node 0 (CPUs, 100 ns) and CXL node 1 (no CPUs, 300 ns).
inline MachineSpec two_nodes(uint64_t dram, uint64_t cxl) {
  MachineSpec m;
  m.nodes = {NodeSpec{.id = 0, .capacity = dram, .latency_ns = 100, .has_cpu = true, .reserved = 0},
             NodeSpec{.id = 1, .capacity = cxl, .latency_ns = 300, .has_cpu = false, .reserved = 0}};
  return m;
}

// One endless phase accessing each region at its intensity.
inline ProcessSpec steady_process(const std::string& name,
                                  std::initializer_list<std::pair<RegionSpec, Access>> regions) {
  ProcessSpec p;
  p.name = name;
  PhaseSpec phase;
  phase.name = "steady";
  for (const auto& [r, a] : regions) {
    p.regions.push_back(r);
    phase.access.push_back(a);
  }
  p.phases.push_back(phase);
  return p;
}

inline RegionSpec region(const std::string& name, uint64_t size) {
  RegionSpec r;
  r.name = name;
  r.size = size;
  return r;
}

inline SimOptions with_stubs() {
  SimOptions o;
  o.stubs = true;
  return o;
}

inline Access random_access(double intensity) { return Access{intensity, Pattern::random, 4096}; }

// One process of random, swept and huge-page memory, for the sampling
// tests: huge, busy and idle are one THP mapping (each right below the one
// before), with a huge folio over the edge between busy and idle.
inline Scenario mixed_sampling() {
  Scenario s;
  s.seed = 11;
  s.machine = two_nodes(2 * kGiB, 1 * kGiB);
  RegionSpec huge = region("huge", 64 * kMiB), busy = region("busy", 3 * kMiB), idle = region("idle", 8 * kMiB);
  huge.thp = busy.thp = idle.thp = true;
  busy.adjoin = idle.adjoin = true;
  s.processes.push_back(steady_process("mix", {{region("hot", 64 * kMiB), random_access(200)},
                                               {region("cold", 64 * kMiB), random_access(2)},
                                               {region("sweep", 64 * kMiB), Access{20, Pattern::sequential, 8192}},
                                               {huge, random_access(1)},
                                               {busy, random_access(100)},
                                               {idle, random_access(0)}}));
  return s;
}

}  // namespace damon::sim::test
