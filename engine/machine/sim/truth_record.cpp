#include "engine/machine/sim/truth_record.h"

#include <algorithm>
#include <cmath>

#include "engine/clock.h"
#include "engine/machine/sim/sim_machine.h"

namespace damon::sim {

double sample_access_probability(const Access& a, uint64_t bytes, uint64_t sample_us) {
  if (a.intensity <= 0 || bytes == 0) return 0;
  const double seconds = static_cast<double>(sample_us) / 1e6;
  if (a.pattern == Pattern::random) return -std::expm1(-a.intensity * seconds);
  // The cursor makes intensity x pages touches a second, one every stride
  // bytes; a page is touched when the cursor passes over it (only one page
  // in stride / page when the stride is larger than a page).
  const double pages = std::ceil(static_cast<double>(bytes) / static_cast<double>(kPageSize));
  const double slots = std::ceil(static_cast<double>(bytes) / static_cast<double>(a.stride));
  const double laps = a.intensity * pages / slots * seconds;
  const double reachable = std::min(1.0, static_cast<double>(kPageSize) / static_cast<double>(a.stride));
  return reachable * std::min(1.0, laps);
}

std::vector<DamoRecord> truth_records(const Scenario& scenario, const TruthExportOptions& options) {
  if (options.sample_us == 0 || options.aggr_us < options.sample_us)
    throw ScenarioError("the aggregation interval must be at least one sampling interval");
  ManualClock clock(0);
  SimMachine machine(scenario, clock);
  const std::vector<SimProcessInfo> procs = machine.processes();
  std::vector<DamoRecord> records(procs.size());
  for (size_t i = 0; i < procs.size(); ++i) {
    records[i].target_id = i;
    records[i].sample_us = options.sample_us;
    records[i].aggr_us = options.aggr_us;
    records[i].ops_update_us = 1'000'000;
  }
  const uint64_t samples = options.aggr_us / options.sample_us;
  for (uint64_t t = 0; t + options.aggr_us <= options.duration_us; t += options.aggr_us) {
    clock.set(t);
    // Processes that ended (loop: false) have no snapshot from then on.
    std::vector<bool> alive;
    for (const SimProcessInfo& p : machine.processes()) alive.push_back(p.alive);
    std::vector<std::vector<DamoRegion>> regions(procs.size());
    for (uint64_t j = 0; j < samples; ++j) {
      clock.set(t + j * options.sample_us);
      for (size_t i = 0; i < procs.size(); ++i) {
        if (!alive[i]) continue;
        size_t k = 0;
        for (const RegionTruth& r : machine.region_truth(procs[i].pid)) {
          if (options.scenario_regions_only && r.name.starts_with('[')) continue;
          const uint64_t bytes = r.vaddr.end - r.vaddr.start;
          if (k == regions[i].size()) regions[i].push_back({r.vaddr.start, r.vaddr.end, 0});
          regions[i][k++].nr_accesses += sample_access_probability(r.access, bytes, options.sample_us);
        }
      }
    }
    for (size_t i = 0; i < procs.size(); ++i) {
      if (alive[i]) records[i].snapshots.push_back({t * 1000, (t + options.aggr_us) * 1000, 0, std::move(regions[i])});
    }
  }
  return records;
}

}  // namespace damon::sim
