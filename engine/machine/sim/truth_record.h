// The ground truth of a simulated run as damo records, so that damo's own
// reports (`damo report heatmap`, `report wss`) draw what the workload did
// beside what DAMON saw.
//
// One record per simulated process, one snapshot per aggregation interval,
// one region per mapping. A region's nr_accesses is what a perfect DAMON
// would count: the expected number of the interval's sampling intervals in
// which a given page of the mapping is accessed, from the mapping's access
// rate in each of them (a random pattern of rate r per page is accessed in
// a sampling interval s with probability 1 - exp(-r s); a sequential sweep
// reaches a page when the cursor passes it). It follows the scenario's
// phases, as the processes were asked to run them: exact when no node has
// a bandwidth (else processes slowed by their memory make fewer accesses).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/machine/sim/damo_record.h"
#include "engine/machine/sim/scenario.h"

namespace damon::sim {

struct TruthExportOptions {
  uint64_t sample_us = 5000;
  uint64_t aggr_us = 100000;
  uint64_t duration_us = 60'000'000;
  // Only the scenario's regions; false: also each process's program text,
  // data, heap and stack, which DAMON monitors too.
  bool scenario_regions_only = false;
};

// Probability that a given page of a mapping accessed as `a` (a region of
// `bytes`) is accessed in a sampling interval of `sample_us`.
double sample_access_probability(const Access& a, uint64_t bytes, uint64_t sample_us);

// Runs `scenario` (without stub processes) for options.duration_us and
// returns its truth. Throws ScenarioError.
std::vector<DamoRecord> truth_records(const Scenario& scenario, const TruthExportOptions& options);

}  // namespace damon::sim
