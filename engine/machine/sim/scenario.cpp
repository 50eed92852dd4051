#include "engine/machine/sim/scenario.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

#include "engine/machine/sim/scenario_io.h"
#include "engine/machine/sim/scenario_replay.h"

namespace damon::sim {

std::string located(const std::string& file, int line, const std::string& message) {
  return file + ":" + std::to_string(line) + ": " + message;
}

std::string read_text_file(const std::string& path, uint64_t limit) {
  // Non-blocking, so that naming a FIFO fails here instead of waiting for
  // a writer; only regular files get past the fstat below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw ScenarioError(path + ": cannot read: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw ScenarioError(path + ": cannot read: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw ScenarioError(path + ": not a regular file");
  auto too_large = [&] {
    return ScenarioError(path + ": too large for a scenario (more than " + std::to_string(limit) + " bytes)");
  };
  if (static_cast<uint64_t>(st.st_size) > limit) throw too_large();
  // The size may change while we read: never take more than the bound.
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ScenarioError(path + ": cannot read: " + std::strerror(errno));
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > limit) throw too_large();
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

std::string file_stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

MachineSpec default_machine() {
  MachineSpec m;
  m.nodes = {
      NodeSpec{.id = 0, .capacity = 4 * kGiB, .latency_ns = 100, .has_cpu = true, .reserved = 0},
      NodeSpec{.id = 1, .capacity = 8 * kGiB, .latency_ns = 250, .has_cpu = false, .reserved = 0},
  };
  return m;
}

bool MachineSpec::bandwidth_limited() const {
  for (const NodeSpec& n : nodes)
    if (n.bandwidth > 0) return true;
  return false;
}

namespace {

void validate_machine(const MachineSpec& m) {
  if (m.nodes.empty()) throw ScenarioError("the machine has no node");
  if (m.phys_base % 4096) throw ScenarioError("phys_base must be a multiple of 4096");
  std::set<int> ids;
  bool cpus = false, lowmem = false;
  uint64_t end = m.phys_base;
  for (const NodeSpec& n : m.nodes) {
    const std::string what = "node " + std::to_string(n.id);
    if (n.id < 0 || !ids.insert(n.id).second) throw ScenarioError(what + ": id negative or used twice");
    if (n.capacity == 0 || n.capacity % 4096) throw ScenarioError(what + ": capacity must be a positive multiple of 4096");
    if (n.reserved % 4096 || n.reserved >= n.capacity)
      throw ScenarioError(what + ": reserved must be a multiple of 4096 below the capacity");
    if (n.movable && n.reserved) throw ScenarioError(what + ": the kernel keeps no memory in ZONE_MOVABLE");
    if (end + n.capacity < end || end + n.capacity > (1ULL << 52))
      throw ScenarioError(what + ": physical memory would end beyond 4 PiB");
    if (!(n.bandwidth >= 0) || std::isinf(n.bandwidth)) throw ScenarioError(what + ": bandwidth must be finite and not negative");
    end += n.capacity;
    cpus = cpus || n.has_cpu;
    lowmem = lowmem || !n.movable;
  }
  if (!(m.migration_bandwidth > 0) || std::isinf(m.migration_bandwidth))
    throw ScenarioError("migration_bandwidth must be positive and finite");
  if (m.numa_balancing && !m.bandwidth_limited())
    throw ScenarioError("numa_balancing needs node bandwidths (its costs are charged by the bandwidth model)");
  if (m.numa_balancing && m.numa_scan_size < 4096) throw ScenarioError("numa_scan_size must be at least a page");
  if (!cpus) throw ScenarioError("no node has CPUs: processes need somewhere to run");
  if (!lowmem) throw ScenarioError("every node is movable: the kernel needs memory outside ZONE_MOVABLE");
}

void validate_process(const ProcessSpec& p, const std::set<int>& node_ids) {
  const std::string what = "process '" + p.name + "'";
  if (p.name.empty() || p.name.size() > kMaxCommLen)
    throw ScenarioError(what + ": name must be 1 to 15 characters");
  if (p.name.find('\0') != std::string::npos || p.name.find('\n') != std::string::npos)
    throw ScenarioError(what + ": name must not contain NUL or newline");
  if (p.threads == 0) throw ScenarioError(what + ": threads must be at least 1");
  if (!p.cgroup.empty() && p.cgroup[0] != '/') throw ScenarioError(what + ": cgroup must start with /");
  if (p.node && !node_ids.count(*p.node)) throw ScenarioError(what + ": no node " + std::to_string(*p.node));
  std::set<std::string> names;
  for (const RegionSpec& r : p.regions) {
    if (r.name.empty() || !names.insert(r.name).second)
      throw ScenarioError(what + ": region names must be non-empty and unique");
    if (r.size == 0) throw ScenarioError(what + ": region '" + r.name + "' has size 0");
    if (r.node && !node_ids.count(*r.node))
      throw ScenarioError(what + ": region '" + r.name + "' prefers missing node " + std::to_string(*r.node));
  }
  if (p.phases.empty()) throw ScenarioError(what + ": no phase");
  for (size_t i = 0; i < p.phases.size(); ++i) {
    const PhaseSpec& ph = p.phases[i];
    if (ph.access.size() != p.regions.size())
      throw ScenarioError(what + ": phase '" + ph.name + "' does not list one access per region");
    if (ph.duration_us == 0 && i + 1 != p.phases.size())
      throw ScenarioError(what + ": phase '" + ph.name + "' is endless but not the last one");
    for (const Access& a : ph.access) {
      if (!std::isfinite(a.intensity) || a.intensity < 0)
        throw ScenarioError(what + ": phase '" + ph.name + "' has a negative or infinite intensity");
      if (a.stride == 0) throw ScenarioError(what + ": phase '" + ph.name + "' has a zero stride");
    }
  }
}

bool has_extension(const std::string& path, std::initializer_list<const char*> exts) {
  const std::string ext = std::filesystem::path(path).extension().string();
  for (const char* e : exts) {
    if (ext == e) return true;
  }
  return false;
}

}  // namespace

void validate(const Scenario& s) {
  validate_machine(s.machine);
  std::set<int> ids;
  for (const NodeSpec& n : s.machine.nodes) ids.insert(n.id);
  for (const ProcessSpec& p : s.processes) validate_process(p, ids);
}

void validate_file(const Scenario& s, const std::string& file) {
  try {
    validate(s);
  } catch (const ScenarioError& e) {
    throw ScenarioError(file + ": " + e.what());
  }
}

Scenario load_scenario(const std::string& path) {
  // Records run to hundreds of megabytes; everything else stays small.
  const std::string text = read_text_file(path, kMaxRecordFileBytes);
  if (looks_like_damo_record(text)) return parse_record_scenario(text, path);
  if (text.size() > kMaxScenarioBytes)
    throw ScenarioError(path + ": too large for a scenario (more than " + std::to_string(kMaxScenarioBytes) + " bytes)");
  if (has_extension(path, {".yaml", ".yml"})) return parse_yaml_scenario(text, path);
  if (has_extension(path, {".masim", ".cfg"})) return parse_masim_scenario(text, path);
  // Sniff: a YAML scenario's top level is a mapping; a masim file reads as
  // YAML (if at all) as one long scalar.
  bool yaml_map = false;
  try {
    yaml_map = YAML::Load(text).IsMap();
  } catch (const YAML::Exception&) {
  }
  return yaml_map ? parse_yaml_scenario(text, path) : parse_masim_scenario(text, path);
}

std::string_view default_scenario_yaml() {
  return R"yaml(# The built-in scenario of `damonfs --machine sim` (used when no --scenario
# is given; scenarios/default.yaml in the source tree holds the same text).
#
# Two NUMA nodes: DRAM next to the CPUs and a slower, CPU-less CXL-like
# node. Two small processes with different hot/cold shapes: one with a fixed
# hot set inside a mostly idle heap, one whose hot buffer moves between two
# buffers and changes from random to sequential access.
name: default
seed: 0
machine:
  phys_base: 4GiB
  fault_latency: 20us
  nodes:
    - id: 0
      capacity: 4GiB
      latency: 100ns
      cpus: true
    - id: 1
      capacity: 8GiB
      latency: 250ns
      cpus: false
processes:
  - name: hotcold
    regions:
      - name: hot
        size: 64MiB
        intensity: 200
      - name: cold
        size: 448MiB
        intensity: 0.05
  - name: phaseshift
    regions:
      - name: a
        size: 128MiB
      - name: b
        size: 128MiB
    phases:
      - name: a-hot
        duration: 10s
        access:
          a: 100
          b: 0.1
      - name: b-scan
        duration: 10s
        access:
          a: 0.1
          b: {intensity: 20, pattern: sequential}
)yaml";
}

Scenario default_scenario() { return parse_yaml_scenario(default_scenario_yaml(), "<built-in default>"); }

}  // namespace damon::sim
