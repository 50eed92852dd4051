#include "fs/control/machine_factory.h"

#include "engine/machine/host/access_sampler.h"
#include "engine/machine/host/host_machine.h"
#include "engine/machine/host/kernel_features.h"
#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/sim_machine.h"
#include "fs/control/mixed_machine.h"

namespace damonfs::fs {

struct MachinePlan::Sim {
  damon::sim::Scenario scenario;
};

struct MachinePlan::Host {
  damon::host::KernelFeatures features;
  bool alone = true;  // --machine host; else beside the simulation
};

MachinePlan::MachinePlan(const std::string& kind, const std::string& scenario, damon::Log& log)
    : log_(&log) {
  if (kind.empty()) {
    host_ = std::make_unique<Host>(Host{damon::host::probe_kernel_features(), false});
  } else if (kind == "host") {
    host_ = std::make_unique<Host>(Host{damon::host::probe_kernel_features()});
    const auto sampler = damon::host::best_sampler(host_->features);
    if (!sampler) {
      throw MachineError("--machine host: this kernel offers no way to sample page accesses:\n" +
                         host_->features.describe());
    }
    const auto info = damon::host::make_sampler(*sampler);
    log.info(std::string("--machine host: sampling accesses with ") +
             damon::host::sampler_name(*sampler) + " (" +
             (info ? info->info().precision : "cannot be opened") + ")" +
             (host_->features.page_idle ? "" : "; paddr unavailable: no idle page tracking"));
    return;
  }
  if (!kind.empty() && kind != "sim") {
    throw MachineError("unknown --machine '" + kind + "': use sim or host");
  }
  try {
    sim_ = std::make_unique<Sim>(Sim{scenario.empty() ? damon::sim::default_scenario()
                                                      : damon::sim::load_scenario(scenario)});
  } catch (const std::exception& e) {
    throw MachineError(e.what());
  }
}

MachinePlan::~MachinePlan() = default;
MachinePlan::MachinePlan(MachinePlan&&) noexcept = default;

std::unique_ptr<damon::Machine> MachinePlan::make(const damon::Clock& clock) const {
  if (host_ && host_->alone) {
    try {
      return std::make_unique<damon::host::HostMachine>(host_->features, *log_);
    } catch (const std::exception& e) {
      throw MachineError(std::string("cannot start the host machine: ") + e.what());
    }
  }
  std::unique_ptr<damon::sim::SimMachine> sim;
  try {
    sim = std::make_unique<damon::sim::SimMachine>(
        sim_->scenario, clock, damon::sim::SimOptions{.stubs = true, .seed = std::nullopt});
  } catch (const std::exception& e) {
    throw MachineError(std::string("cannot start the simulated machine: ") + e.what());
  }
  if (!host_) return sim;
  std::vector<int> sim_pids;
  for (const damon::sim::SimProcessInfo& p : sim->processes()) sim_pids.push_back(p.pid);
  std::unique_ptr<damon::Machine> host;
  std::string host_missing;
  try {
    host = std::make_unique<damon::host::HostMachine>(host_->features, *log_);
  } catch (const std::exception& e) {
    host_missing = e.what();  // real pids then resolve to nothing, as unknown pids
  }
  return std::make_unique<MixedMachine>(std::move(sim), std::move(sim_pids),
                                               std::move(host), std::move(host_missing));
}

}  // namespace damonfs::fs
