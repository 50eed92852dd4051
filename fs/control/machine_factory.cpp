#include "fs/control/machine_factory.h"

#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/sim_machine.h"

namespace damonfs::fs {

struct MachinePlan::Sim {
  damon::sim::Scenario scenario;
};

MachinePlan::MachinePlan(const std::string& kind, const std::string& scenario) {
  if (kind == "host") {
    throw MachineError("--machine host is not available in this build yet; use --machine sim");
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
  try {
    return std::make_unique<damon::sim::SimMachine>(sim_->scenario, clock,
                                                    damon::sim::SimOptions{.stubs = true, .seed = std::nullopt});
  } catch (const std::exception& e) {
    throw MachineError(std::string("cannot start the simulated machine: ") + e.what());
  }
}

}  // namespace damonfs::fs
