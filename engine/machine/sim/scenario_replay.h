// A damo record as a workload: each recorded target becomes a simulated
// process that makes the accesses DAMON saw (damonfs-scenario(5), replay).
//
// The address ranges the record's regions ever covered become the
// process's mappings, cut into segments at the region boundaries the
// record holds most often (at most `segments` cuts: the stable edges of hot
// and cold areas, not the random cuts of DAMON's region splitting). Each snapshot becomes a phase lasting until the next
// snapshot starts, in which every segment is accessed at random with the
// rate that makes a page found accessed in a sampling interval as often as
// the snapshot's nr_accesses says: a region seen in n of the m samples of
// its aggregation interval gets, per page, the Poisson rate
// -ln(1 - n/m) / sample interval (n = m is read as m - 1/2; m from the
// record's intervals, or else from the snapshot's length). Where a
// segment's access starts or ends, or in a snapshot alone, it is accessed
// instead at the m-of-m rate for n/m of the snapshot, at the side of the
// neighbouring snapshot that also has it (snapshot_phases()). All pages of
// a segment are touched at the same instants, and segments share one stream
// of them (RegionSpec::together).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/machine/sim/damo_record.h"
#include "engine/machine/sim/scenario.h"

namespace damon::sim {

struct ReplayOptions {
  // Name of the process replaying the first target; the others get "-1",
  // "-2", ... appended. Empty: the record file's name.
  std::string name;
  bool loop = true;  // false: the processes exit after the last snapshot
  // Region boundaries kept, at most: a target becomes at most this many
  // mappings, plus one per range it covers.
  uint32_t segments = 256;
};

inline constexpr uint32_t kMaxReplaySegments = 65536;
// Sampling interval assumed for a record that tells none (damo's default).
inline constexpr uint64_t kDefaultReplaySampleUs = 5000;

// Appends one process per record to `scenario`. `file` names the record in
// errors and is the default process name. Throws ScenarioError.
void append_replay_processes(const std::vector<DamoRecord>& records, const ReplayOptions& options,
                             const std::string& file, Scenario& scenario);

// A record file on its own: its processes on default_machine().
Scenario parse_record_scenario(std::string_view data, const std::string& file);

// The per-page Poisson rate (accesses per second) with which a page is
// found accessed in `nr_accesses` of `max_accesses` sampling intervals of
// `sample_us` each.
double replay_intensity(double nr_accesses, double max_accesses, uint64_t sample_us);

}  // namespace damon::sim
