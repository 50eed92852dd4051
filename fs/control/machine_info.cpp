#include "fs/control/machine_info.h"

#include <cctype>
#include <cerrno>
#include <cstdio>

#include "engine/machine/sim/sim_machine.h"
#include "fs/control/mixed_machine.h"

namespace damonfs::fs {
namespace {

// One token per name, whatever the scenario called it.
std::string token(std::string s) {
  if (s.empty()) return "-";
  for (char& c : s)
    if (std::isspace(static_cast<unsigned char>(c))) c = '_';
  return s;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

const char* yes_no(bool v) { return v ? "yes" : "no"; }

}  // namespace

namespace {

// The simulation behind `machine`, alone or serving beside real processes.
const damon::sim::SimMachine* simulation(const damon::Machine& machine) {
  if (const auto* mixed = dynamic_cast<const MixedMachine*>(&machine))
    return dynamic_cast<const damon::sim::SimMachine*>(&mixed->sim());
  return dynamic_cast<const damon::sim::SimMachine*>(&machine);
}

}  // namespace

MachineInfo::MachineInfo(const damon::Machine& machine, ClockFile* clock)
    : machine_(machine), sim_(simulation(machine)), clock_(clock) {}

std::optional<std::vector<InfoEntry>> MachineInfo::list(std::span<const std::string> dir) const {
  if (dir.empty()) {
    std::vector<InfoEntry> top = {{"machine"}, {"sampler"}, {"nodes"}};
    if (clock_) top.push_back({"clock", false, clock_->writable()});
    if (sim_) {
      top.push_back({"processes"});
      top.push_back({"truth", true});
      top.push_back({"perf", true});
    }
    return top;
  }
  if (sim_ && dir.size() == 1 && (dir[0] == "truth" || dir[0] == "perf")) {
    std::vector<InfoEntry> pids;
    for (const damon::sim::SimProcessInfo& p : sim_->processes())
      pids.push_back({std::to_string(p.pid)});
    return pids;
  }
  return std::nullopt;
}

std::optional<std::string> MachineInfo::read(std::span<const std::string> file) const {
  if (file.size() == 1) {
    const std::string& name = file[0];
    if (name == "machine") return machine_.kind() + '\n';
    if (name == "sampler") {
      const damon::SamplerInfo s = machine_.sampler();
      return s.name + '\n' + s.precision + '\n';
    }
    if (name == "nodes") return nodes();
    if (clock_ && name == "clock") return clock_->read();
    if (sim_ && name == "processes") return processes();
  }
  if (sim_ && file.size() == 2 && file[0] == "truth") return truth(file[1]);
  if (sim_ && file.size() == 2 && file[0] == "perf") return perf(file[1]);
  return std::nullopt;
}

void MachineInfo::write(std::span<const std::string> file, std::string_view data,
                        InfoWriteDone done) const {
  if (clock_ && file.size() == 1 && file[0] == "clock") return clock_->write(data, std::move(done));
  done(-EIO);
}

std::string MachineInfo::nodes() const {
  std::string out;
  for (const damon::NodeMemory& n : machine_.nodes()) {
    out += "node " + std::to_string(n.id) + " total " + std::to_string(n.total_bytes) + " free " +
           std::to_string(n.free_bytes) + " cpus " + yes_no(n.has_cpu);
    // Where a paddr kdamond monitoring this node alone looks.
    if (std::optional<damon::AddrRange> r = sim_ ? sim_->node_range(n.id) : std::nullopt)
      out += " start " + std::to_string(r->start) + " end " + std::to_string(r->end);
    out += '\n';
  }
  return out;
}

std::string MachineInfo::processes() const {
  std::string out;
  for (const damon::sim::SimProcessInfo& p : sim_->processes()) {
    out += "name " + token(p.name) + " pid " + std::to_string(p.pid) + " alive " + yes_no(p.alive) +
           '\n';
  }
  return out;
}

int MachineInfo::sim_pid(const std::string& pid) const {
  for (const damon::sim::SimProcessInfo& p : sim_->processes())
    if (std::to_string(p.pid) == pid) return p.pid;
  return 0;
}

std::optional<std::string> MachineInfo::perf(const std::string& pid) const {
  const int found = sim_pid(pid);
  if (!found) return std::nullopt;
  const damon::sim::PerfScore s = sim_->perf(found);
  const std::vector<damon::NodeMemory> nodes = machine_.nodes();
  std::string out = "throughput " + number(s.throughput) + " accesses " + number(s.accesses) + " seconds " +
                    number(s.seconds) + " mean_latency_ns " + number(s.mean_latency_ns) + " faults " +
                    std::to_string(s.faults) + " bytes ";
  for (size_t i = 0; i < s.node_bytes.size(); ++i) {
    if (i) out += ',';
    const int nid = i < nodes.size() ? nodes[i].id : static_cast<int>(i);
    out += std::to_string(nid) + ':' + number(s.node_bytes[i]);
  }
  out += " numa_hint_faults " + std::to_string(s.numa_hint_faults) + " numa_promoted_bytes " +
         std::to_string(s.numa_promoted_bytes) + " stalled_s " + number(s.stalled_ns * 1e-9);
  return out + '\n';
}

std::optional<std::string> MachineInfo::truth(const std::string& pid) const {
  const int found = sim_pid(pid);
  if (!found) return std::nullopt;
  const std::vector<damon::NodeMemory> nodes = machine_.nodes();
  std::string out;
  for (const damon::sim::RegionTruth& r : sim_->region_truth(found)) {
    out += "region " + token(r.name) + " start " + std::to_string(r.vaddr.start) + " end " +
           std::to_string(r.vaddr.end) + " phase " + token(r.phase) + " intensity " +
           number(r.access.intensity) + " pattern " +
           (r.access.pattern == damon::sim::Pattern::sequential ? "sequential" : "random") +
           " resident ";
    for (size_t i = 0; i < r.resident_bytes.size(); ++i) {
      if (i) out += ',';
      const int nid = i < nodes.size() ? nodes[i].id : static_cast<int>(i);
      out += std::to_string(nid) + ':' + std::to_string(r.resident_bytes[i]);
    }
    out += " nonresident " + std::to_string(r.nonresident_bytes) + '\n';
  }
  return out;
}

}  // namespace damonfs::fs
