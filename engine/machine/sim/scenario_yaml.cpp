// The YAML scenario format (damonfs-scenario(5)).
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/scenario_io.h"
#include "engine/machine/sim/scenario_replay.h"
#include "engine/machine/sim/units.h"

namespace damon::sim {
namespace {

// Region defaults: how a region is accessed in phases that do not name it.
struct RegionDefaults {
  Access access;
};

class YamlScenarioParser {
 public:
  explicit YamlScenarioParser(const std::string& file) : file_(file) {}

  Scenario parse(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      throw ScenarioError(located(file_, e.mark.line + 1, e.msg));
    }
    if (!root.IsMap()) fail(root, "the top level must be a mapping of name, seed, machine, processes");
    check_keys(root, {"name", "seed", "machine", "processes", "replay"});

    Scenario s;
    s.name = root["name"] ? scalar(root["name"], "name") : file_stem(file_);
    if (root["seed"]) s.seed = integer<uint64_t>(root["seed"], "seed");
    s.machine = root["machine"] ? machine(root["machine"]) : default_machine();
    if (const YAML::Node procs = root["processes"]) {
      if (!procs.IsSequence()) fail(procs, "processes: expected a list of processes");
      for (const YAML::Node& p : procs) s.processes.push_back(process(p, s.machine));
    }
    if (const YAML::Node r = root["replay"]) replay(r, s);
    validate_file(s, file_);
    return s;
  }

 private:
  [[noreturn]] void fail(const YAML::Node& n, const std::string& msg) const {
    const YAML::Mark m = n.Mark();
    throw ScenarioError(m.is_null() ? file_ + ": " + msg : located(file_, m.line + 1, msg));
  }

  void check_keys(const YAML::Node& map, std::initializer_list<std::string_view> known) const {
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      bool ok = false;
      for (std::string_view k : known) ok = ok || key == k;
      if (!ok) {
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        fail(kv.first, "unknown key '" + key + "' (expected one of: " + list + ")");
      }
    }
  }

  YAML::Node require(const YAML::Node& map, const YAML::Node& value, const char* key) const {
    if (!value) fail(map, std::string("missing required key '") + key + "'");
    return value;
  }

  std::string scalar(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + ": expected a single value");
    return n.Scalar();
  }

  template <typename T>
  T integer(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what);
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, what + ": expected an integer, got '" + s + "'");
    }
  }

  bool boolean(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what);
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      fail(n, what + ": expected true or false, got '" + s + "'");
    }
  }

  uint64_t size(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what);
    if (auto v = parse_size(s)) return *v;
    fail(n, what + ": expected a size like 512MiB or 4GiB, got '" + s + "'");
  }

  uint64_t duration(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what);
    if (auto v = parse_duration_us(s)) return *v;
    fail(n, what + ": expected a duration like 500ms or 10s, got '" + s + "'");
  }

  uint64_t latency(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what);
    if (auto v = parse_latency_ns(s)) return *v;
    fail(n, what + ": expected a latency like 100ns or 20us, got '" + s + "'");
  }

  double bandwidth(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what);
    if (auto v = parse_bandwidth(s)) return *v;
    fail(n, what + ": expected a bandwidth like 72GB/s or 500MB/s, got '" + s + "'");
  }

  double number(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what);
    if (auto v = parse_number(s)) return *v;
    fail(n, what + ": expected a non-negative number, got '" + s + "'");
  }

  int node_ref(const YAML::Node& n, const MachineSpec& m, const std::string& what) const {
    const int id = integer<int>(n, what);
    for (const NodeSpec& node : m.nodes) {
      if (node.id == id) return id;
    }
    fail(n, what + ": no node with id " + std::to_string(id));
  }

  MachineSpec machine(const YAML::Node& n) const {
    if (!n.IsMap()) fail(n, "machine: expected a mapping");
    check_keys(n, {"phys_base", "fault_latency", "migration_bandwidth", "numa_balancing", "numa_scan_size", "nodes"});
    MachineSpec m;
    if (n["phys_base"]) m.phys_base = size(n["phys_base"], "phys_base");
    if (n["fault_latency"]) m.fault_latency_ns = latency(n["fault_latency"], "fault_latency");
    if (n["migration_bandwidth"]) {
      m.migration_bandwidth = bandwidth(n["migration_bandwidth"], "migration_bandwidth");
      if (m.migration_bandwidth <= 0) fail(n["migration_bandwidth"], "migration_bandwidth: must be positive");
    }
    if (n["numa_balancing"]) {
      const std::string mode = scalar(n["numa_balancing"], "numa_balancing");
      if (mode != "off" && mode != "tiering")
        fail(n["numa_balancing"], "numa_balancing: expected off or tiering, got '" + mode + "'");
      m.numa_balancing = mode == "tiering";
    }
    if (n["numa_scan_size"]) m.numa_scan_size = size(n["numa_scan_size"], "numa_scan_size");
    const YAML::Node nodes = require(n, n["nodes"], "nodes");
    if (!nodes.IsSequence() || nodes.size() == 0) fail(nodes, "nodes: expected a non-empty list");
    std::set<int> ids;
    for (const YAML::Node& e : nodes) {
      if (!e.IsMap()) fail(e, "node: expected a mapping");
      check_keys(e, {"id", "capacity", "latency", "cpus", "reserved", "movable", "bandwidth"});
      NodeSpec node;
      node.id = integer<int>(require(e, e["id"], "id"), "id");
      if (node.id < 0) fail(e["id"], "id: must not be negative");
      if (!ids.insert(node.id).second) fail(e["id"], "id: node " + std::to_string(node.id) + " defined twice");
      node.capacity = size(require(e, e["capacity"], "capacity"), "capacity");
      if (node.capacity == 0 || node.capacity % 4096)
        fail(e["capacity"], "capacity: must be a positive multiple of 4096 bytes");
      if (e["latency"]) node.latency_ns = latency(e["latency"], "latency");
      if (e["cpus"]) node.has_cpu = boolean(e["cpus"], "cpus");
      if (e["movable"]) node.movable = boolean(e["movable"], "movable");
      if (e["bandwidth"]) node.bandwidth = bandwidth(e["bandwidth"], "bandwidth");
      if (e["reserved"]) {
        node.reserved = size(e["reserved"], "reserved");
        if (node.reserved % 4096 || node.reserved >= node.capacity)
          fail(e["reserved"], "reserved: must be a multiple of 4096 bytes below the capacity");
      }
      m.nodes.push_back(node);
    }
    return m;
  }

  // The access keys shared by region entries (their defaults) and phase
  // entries: intensity, pattern, stride; absent keys keep `base`.
  Access access_fields(const YAML::Node& n, Access base, const std::string& what) const {
    if (n["intensity"]) base.intensity = number(n["intensity"], what + ": intensity");
    if (n["pattern"]) {
      const std::string p = scalar(n["pattern"], "pattern");
      if (p == "random") {
        base.pattern = Pattern::random;
      } else if (p == "sequential") {
        base.pattern = Pattern::sequential;
      } else {
        fail(n["pattern"], "pattern: expected random or sequential, got '" + p + "'");
      }
    }
    if (n["stride"]) {
      base.stride = size(n["stride"], "stride");
      if (base.stride == 0) fail(n["stride"], "stride: must be positive");
    }
    return base;
  }

  // A phase's entry for one region: an intensity, or a mapping.
  Access access(const YAML::Node& n, Access base, const std::string& what) const {
    if (n.IsScalar()) {
      base.intensity = number(n, what);
      return base;
    }
    if (!n.IsMap()) fail(n, what + ": expected an intensity or a mapping of intensity, pattern, stride");
    check_keys(n, {"intensity", "pattern", "stride"});
    return access_fields(n, base, what);
  }

  RegionSpec region(const YAML::Node& n, const MachineSpec& m, RegionDefaults& defaults) const {
    if (!n.IsMap()) fail(n, "region: expected a mapping");
    check_keys(n, {"name", "size", "node", "thp", "lru", "file", "intensity", "pattern", "stride"});
    RegionSpec r;
    r.name = scalar(require(n, n["name"], "name"), "name");
    if (r.name.empty()) fail(n["name"], "name: must not be empty");
    r.size = size(require(n, n["size"], "size"), "size");
    if (r.size == 0) fail(n["size"], "size: must be positive");
    if (n["node"]) r.node = node_ref(n["node"], m, "node");
    if (n["thp"]) r.thp = boolean(n["thp"], "thp");
    if (n["lru"]) {
      const std::string lru = scalar(n["lru"], "lru");
      if (lru != "active" && lru != "inactive")
        fail(n["lru"], "lru: expected active or inactive, got '" + lru + "'");
      r.active = lru == "active";
    }
    if (n["file"]) {
      r.file = scalar(n["file"], "file");
      if (r.file.empty() || r.file[0] != '/') fail(n["file"], "file: expected an absolute path");
    }
    defaults.access = access_fields(n, Access{}, "region '" + r.name + "'");
    return r;
  }

  PhaseSpec phase(const YAML::Node& n, size_t index, const ProcessSpec& p,
                  const std::vector<RegionDefaults>& defaults) const {
    if (!n.IsMap()) fail(n, "phase: expected a mapping");
    check_keys(n, {"name", "duration", "access"});
    PhaseSpec ph;
    ph.name = n["name"] ? scalar(n["name"], "name") : "phase" + std::to_string(index);
    if (n["duration"]) {
      ph.duration_us = duration(n["duration"], "duration");
      if (ph.duration_us == 0) fail(n["duration"], "duration: must be positive (omit it for an endless phase)");
    }
    for (const RegionDefaults& d : defaults) ph.access.push_back(d.access);
    if (const YAML::Node acc = n["access"]) {
      if (!acc.IsMap()) fail(acc, "access: expected a mapping of region name to intensity");
      for (const auto& kv : acc) {
        const std::string name = kv.first.Scalar();
        size_t i = 0;
        while (i < p.regions.size() && p.regions[i].name != name) ++i;
        if (i == p.regions.size()) fail(kv.first, "access: process '" + p.name + "' has no region '" + name + "'");
        ph.access[i] = access(kv.second, ph.access[i], "access to '" + name + "'");
      }
    }
    return ph;
  }

  ProcessSpec process(const YAML::Node& n, const MachineSpec& m) const {
    if (!n.IsMap()) fail(n, "process: expected a mapping");
    check_keys(n, {"name", "cgroup", "node", "loop", "threads", "program_accesses", "access_rate", "access_rates",
                   "thp", "regions", "phases", "masim"});
    ProcessSpec p;
    const YAML::Node name = require(n, n["name"], "name");
    p.name = scalar(name, "name");
    if (p.name.empty() || p.name.size() > kMaxCommLen)
      fail(name, "name: must be 1 to 15 characters (the kernel's comm), got '" + p.name + "'");
    if (n["cgroup"]) {
      p.cgroup = scalar(n["cgroup"], "cgroup");
      if (p.cgroup.empty() || p.cgroup[0] != '/') fail(n["cgroup"], "cgroup: expected a path starting with /");
      if (p.cgroup == "/") p.cgroup.clear();
    }
    if (n["node"]) p.node = node_ref(n["node"], m, "node");
    if (n["loop"]) p.loop = boolean(n["loop"], "loop");
    if (n["program_accesses"]) p.program_accesses = boolean(n["program_accesses"], "program_accesses");
    if (n["threads"]) {
      p.threads = integer<uint32_t>(n["threads"], "threads");
      if (p.threads == 0) fail(n["threads"], "threads: must be at least 1");
    }

    if (const YAML::Node masim = n["masim"]) {
      if (n["regions"] || n["phases"]) fail(masim, "masim: a process takes either masim or regions/phases, not both");
      MasimRates rates;
      if (n["access_rate"]) rates.overall = number(n["access_rate"], "access_rate");
      if (const YAML::Node per = n["access_rates"]) {
        const auto read = [&](const YAML::Node& m) {
          if (!m.IsMap()) fail(m, "access_rates: expected a mapping of region name to accesses per second");
          std::map<std::string, double> out;
          for (const auto& kv : m) out[kv.first.Scalar()] = number(kv.second, "access_rates");
          return out;
        };
        if (per.IsSequence()) {
          for (const YAML::Node& m : per) rates.per_phase.push_back(read(m));
        } else {
          rates.per_region = read(per);
        }
      }
      const std::string path = resolve(scalar(masim, "masim"));
      try {
        parse_masim_process(read_text_file(path), path, rates, p);
      } catch (const ScenarioError& e) {
        fail(masim, std::string("masim: ") + e.what());
      }
      if (n["thp"]) {
        const bool thp = boolean(n["thp"], "thp");
        for (RegionSpec& r : p.regions) r.thp = thp;
      }
      return p;
    }
    for (const char* key : {"access_rate", "access_rates", "thp"}) {
      if (n[key]) fail(n[key], std::string(key) + ": only used with masim");
    }

    std::vector<RegionDefaults> defaults;
    if (const YAML::Node regions = n["regions"]) {
      if (!regions.IsSequence()) fail(regions, "regions: expected a list");
      std::set<std::string> names;
      for (const YAML::Node& r : regions) {
        defaults.emplace_back();
        p.regions.push_back(region(r, m, defaults.back()));
        if (!names.insert(p.regions.back().name).second)
          fail(r, "region '" + p.regions.back().name + "' defined twice");
      }
    }
    if (const YAML::Node phases = n["phases"]) {
      if (!phases.IsSequence() || phases.size() == 0) fail(phases, "phases: expected a non-empty list");
      for (size_t i = 0; i < phases.size(); ++i) {
        if (!p.phases.empty() && p.phases.back().duration_us == 0)
          fail(phases[i - 1], "phase '" + p.phases.back().name + "' has no duration: only the last phase may be endless");
        p.phases.push_back(phase(phases[i], i, p, defaults));
      }
    } else {
      PhaseSpec steady;
      steady.name = "steady";
      for (const RegionDefaults& d : defaults) steady.access.push_back(d.access);
      p.phases.push_back(std::move(steady));
    }
    return p;
  }

  // replay: FILE, or a mapping of file, name, loop, segments.
  void replay(const YAML::Node& n, Scenario& s) const {
    ReplayOptions options;
    // (Not assigned later: assigning a YAML::Node overwrites what it refers to.)
    const YAML::Node file = n.IsMap() ? require(n, n["file"], "file") : n;
    if (n.IsMap()) {
      check_keys(n, {"file", "name", "loop", "segments"});
      if (n["name"]) options.name = scalar(n["name"], "name");
      if (n["loop"]) options.loop = boolean(n["loop"], "loop");
      if (n["segments"]) {
        options.segments = integer<uint32_t>(n["segments"], "segments");
        if (options.segments == 0 || options.segments > kMaxReplaySegments)
          fail(n["segments"], "segments: must be 1 to " + std::to_string(kMaxReplaySegments));
      }
    }
    const std::string path = resolve(scalar(file, "replay"));
    try {
      append_replay_processes(read_damo_records(path), options, path, s);
    } catch (const ScenarioError& e) {
      fail(file, std::string("replay: ") + e.what());
    }
  }

  std::string resolve(const std::string& path) const {
    const std::filesystem::path p(path);
    if (p.is_absolute()) return path;
    return (std::filesystem::path(file_).parent_path() / p).string();
  }

  std::string file_;
};

}  // namespace

Scenario parse_yaml_scenario(std::string_view text, const std::string& file) {
  return YamlScenarioParser(file).parse(text);
}

}  // namespace damon::sim
