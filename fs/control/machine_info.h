// What a mount's damonfs/ directory says about the machine its kdamonds
// monitor (info_provider.h), so a person can check the monitor against it.
// Every file is line-oriented, "key value" pairs separated by spaces; names
// from a scenario have their blanks replaced with '_' to keep one token.
//
//   machine        the machine kind: "sim" or "host"
//   clock          how simulated time passes; written to advance a manual
//                  clock (clock_file.h)
//   sampler        the access sampler's name, then one line on its precision
//   nodes          per NUMA node:  node ID total BYTES free BYTES cpus yes|no
//                  and on a simulated machine its physical range:
//                  start ADDR end ADDR
//
// A simulated machine adds its ground truth:
//
//   processes      per process:    name COMM pid PID alive yes|no
//   truth/PID      per mapping of that process, now:
//                  region NAME start ADDR end ADDR phase PHASE
//                  intensity ACCESSES_PER_PAGE_PER_SEC pattern random|sequential
//                  resident NID:BYTES[,NID:BYTES...] nonresident BYTES
//   perf/PID       that process's progress since it started (one line):
//                  throughput ACCESSES_PER_SEC accesses ACCESSES seconds SECONDS
//                  mean_latency_ns NS faults FAULTS bytes NID:BYTES[,NID:BYTES...]
//                  (throughput: accesses made per simulated second, slower
//                  when its nodes' bandwidth is loaded; bytes: moved by its
//                  accesses, per node; damonfs-scenario(5))
//
// Addresses are decimal, like the tried_regions files; start is inclusive,
// end exclusive.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/machine/machine.h"
#include "fs/control/clock_file.h"
#include "fs/tree/info_provider.h"

namespace damon::sim {
class SimMachine;
}

namespace damonfs::fs {

class MachineInfo final : public InfoProvider {
 public:
  // `machine` and `clock` (when given) must outlive this object.
  explicit MachineInfo(const damon::Machine& machine, ClockFile* clock = nullptr);

  std::optional<std::vector<InfoEntry>> list(std::span<const std::string> dir) const override;
  std::optional<std::string> read(std::span<const std::string> file) const override;
  void write(std::span<const std::string> file, std::string_view data,
             InfoWriteDone done) const override;

 private:
  std::string nodes() const;
  std::string processes() const;
  // nullopt when `pid` names no simulated process.
  std::optional<std::string> truth(const std::string& pid) const;
  std::optional<std::string> perf(const std::string& pid) const;
  // The simulated process `pid` names, or 0.
  int sim_pid(const std::string& pid) const;

  const damon::Machine& machine_;
  const damon::sim::SimMachine* sim_;  // nullptr on other machines
  ClockFile* clock_;
};

}  // namespace damonfs::fs
