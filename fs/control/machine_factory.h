// The machine behind a mount, from the command line's --machine/--scenario.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "engine/clock.h"
#include "engine/log.h"
#include "engine/machine/machine.h"

namespace damonfs::fs {

// What a person must fix to start the daemon (bad scenario, missing kernel
// feature, unknown machine kind).
class MachineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A checked --machine/--scenario choice. Loading it reads and validates the
// scenario; making the machine later starts its processes. The two are
// apart so that errors reach the terminal before the daemon detaches, and
// the stub processes are children of the detached daemon.
class MachinePlan {
 public:
  // `kind` is "sim", "host", or empty for the default: the simulated
  // machine for its own processes and physical memory, and any other pid
  // monitored as a real process (engine/machine/mixed_machine.h). `scenario`
  // is a YAML scenario or masim config file, empty for the built-in one.
  // For "host", the kernel is probed for an access sampler now and the
  // choice logged; the default probes it quietly and monitors real
  // processes only when it finds one. Throws MachineError. `log` gets that
  // choice and, through the host machine, its failures on real processes;
  // it must outlive this plan and the machines it makes.
  MachinePlan(const std::string& kind, const std::string& scenario, damon::Log& log);
  ~MachinePlan();
  MachinePlan(MachinePlan&&) noexcept;

  // Every simulated process gets a real stub process; the host machine
  // reads real time itself (`clock` is for the sim). Throws MachineError.
  std::unique_ptr<damon::Machine> make(const damon::Clock& clock) const;

 private:
  struct Sim;
  struct Host;
  std::unique_ptr<Sim> sim_;    // kind "sim" and the default
  std::unique_ptr<Host> host_;  // kind "host" and the default
  damon::Log* log_;
};

}  // namespace damonfs::fs
