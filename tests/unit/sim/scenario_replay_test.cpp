// A damo record replayed as simulated processes, and the simulator's truth
// written back as a record.
#include "engine/machine/sim/scenario_replay.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <utility>

#include "engine/clock.h"
#include "engine/machine/sim/truth_record.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

constexpr uint64_t kBase = 0x7f1200000000;

// One target over [kBase, kBase + 32 MiB): 8 MiB at `hot` of 20 samples
// and the rest at `cold`, for `n` aggregation intervals of 100 ms; then
// the same with the hot part at the other end.
DamoRecord two_phase_record(double hot, double cold, int n) {
  DamoRecord r;
  r.sample_us = 5000;
  r.aggr_us = 100000;
  uint64_t t = 1'000'000'000;
  for (int phase = 0; phase < 2; ++phase) {
    for (int k = 0; k < n; ++k, t += 100'000'000) {
      DamoSnapshot s{t, t + 100'000'000, 0, {}};
      if (phase == 0) {
        s.regions = {{kBase, kBase + 8 * kMiB, hot}, {kBase + 8 * kMiB, kBase + 32 * kMiB, cold}};
      } else {
        s.regions = {{kBase, kBase + 24 * kMiB, cold}, {kBase + 24 * kMiB, kBase + 32 * kMiB, hot}};
      }
      r.snapshots.push_back(s);
    }
  }
  return r;
}

Scenario replay_scenario(const std::vector<DamoRecord>& records, ReplayOptions options = {}) {
  Scenario s;
  s.machine = default_machine();
  append_replay_processes(records, options, "dir/stairs.data", s);
  validate(s);
  return s;
}

TEST(ScenarioReplay, IntensityGivesTheRecordedSampleFraction) {
  EXPECT_EQ(replay_intensity(0, 20, 5000), 0);
  for (const double n : {1.0, 5.0, 10.0, 19.0}) {
    const double rate = replay_intensity(n, 20, 5000);
    EXPECT_NEAR(-std::expm1(-rate * 0.005), n / 20, 1e-12);
  }
  // Every sample: as far as 19.5 of 20, a finite rate.
  EXPECT_NEAR(-std::expm1(-replay_intensity(20, 20, 5000) * 0.005), 19.5 / 20, 1e-12);
}

TEST(ScenarioReplay, TargetsBecomeProcessesRegionsMappingsSnapshotsPhases) {
  std::vector<DamoRecord> records = {two_phase_record(20, 0, 3), two_phase_record(10, 1, 2)};
  records[1].target_id = 1;
  const Scenario s = replay_scenario(records);
  ASSERT_EQ(s.processes.size(), 2u);
  EXPECT_EQ(s.processes[0].name, "stairs");
  EXPECT_EQ(s.processes[1].name, "stairs-1");
  const ProcessSpec& p = s.processes[0];
  EXPECT_TRUE(p.loop);
  // Cut at 8, 24 MiB: three segments, highest first, each adjoining the
  // one above it.
  ASSERT_EQ(p.regions.size(), 3u);
  EXPECT_EQ(p.regions[0].name, "0x7f1201800000");
  EXPECT_EQ(p.regions[0].size, 8 * kMiB);
  EXPECT_FALSE(p.regions[0].adjoin);
  EXPECT_EQ(p.regions[1].size, 16 * kMiB);
  EXPECT_TRUE(p.regions[1].adjoin);
  EXPECT_EQ(p.regions[2].name, "0x7f1200000000");
  EXPECT_TRUE(p.regions[2].adjoin);
  // Equal snapshots are one phase: 3 x 100 ms, then 3 x 100 ms reversed.
  ASSERT_EQ(p.phases.size(), 2u);
  EXPECT_EQ(p.phases[0].duration_us, 300000u);
  EXPECT_EQ(p.phases[1].duration_us, 300000u);
  const double hot = replay_intensity(20, 20, 5000);
  EXPECT_EQ(p.phases[0].access[2].intensity, hot);  // lowest segment hot first
  EXPECT_EQ(p.phases[0].access[0].intensity, 0);
  EXPECT_EQ(p.phases[1].access[0].intensity, hot);
  EXPECT_EQ(p.phases[1].access[2].intensity, 0);
  // The middle segment is half covered by the hot region in no phase.
  EXPECT_EQ(p.phases[0].access[1].intensity, 0);
}

TEST(ScenarioReplay, TheMostFrequentBoundariesAreKept) {
  DamoRecord r;
  r.sample_us = 5000;
  r.aggr_us = 100000;
  // 1000 snapshots whose single boundary moves one page each time.
  for (uint64_t k = 0; k < 1000; ++k) {
    const uint64_t cut = kBase + 64 * kMiB + k * kPage;
    r.snapshots.push_back({k * 100'000'000, (k + 1) * 100'000'000, 0,
                           {{kBase, cut, 20}, {cut, kBase + 256 * kMiB, 0}}});
  }
  ReplayOptions o;
  o.segments = 64;
  const Scenario s = replay_scenario({r}, o);
  const ProcessSpec& p = s.processes[0];
  EXPECT_LE(p.regions.size(), 66u);
  uint64_t total = 0;
  for (const RegionSpec& g : p.regions) total += g.size;
  EXPECT_EQ(total, 256 * kMiB);
  // The hot bytes are kept: per phase, intensity x size sums to the
  // recorded hot region's.
  const double hot = replay_intensity(20, 20, 5000);
  for (size_t k : {0, 500, 999}) {
    double sum = 0;
    for (size_t i = 0; i < p.regions.size(); ++i) {
      size_t ph = 0;
      uint64_t at = 0;
      while (at + p.phases[ph].duration_us <= k * 100000) at += p.phases[ph++].duration_us;
      sum += p.phases[ph].access[i].intensity * static_cast<double>(p.regions[i].size);
    }
    EXPECT_NEAR(sum, hot * static_cast<double>(64 * kMiB + k * kPage), 1e-6 * sum);
  }
}

TEST(ScenarioReplay, AStableEdgeIsKeptAndRandomSplitsAreNot) {
  // The hot area's edge at 64 MiB in every snapshot; DAMON's random split
  // of the cold rest somewhere else each time.
  DamoRecord r;
  r.sample_us = 5000;
  r.aggr_us = 100000;
  for (uint64_t k = 0; k < 200; ++k) {
    const uint64_t split = kBase + 64 * kMiB + (k * 37 % 190 + 1) * kMiB;
    r.snapshots.push_back({k * 100'000'000, (k + 1) * 100'000'000, 0,
                           {{kBase, kBase + 64 * kMiB, 20}, {kBase + 64 * kMiB, split, 0}, {split, kBase + 256 * kMiB, 0}}});
  }
  ReplayOptions o;
  o.segments = 4;
  const ProcessSpec p = replay_scenario({r}, o).processes[0];
  EXPECT_LE(p.regions.size(), 5u);
  // Highest first: the last region is the hot area, whole.
  EXPECT_EQ(p.regions.back().name, "0x7f1200000000");
  EXPECT_EQ(p.regions.back().size, 64 * kMiB);
  EXPECT_EQ(p.phases[0].access.back().intensity, replay_intensity(20, 20, 5000));
  for (size_t i = 0; i + 1 < p.regions.size(); ++i) EXPECT_EQ(p.phases[0].access[i].intensity, 0);
}

TEST(ScenarioReplay, AnEdgeIsCutWhereItWasSeenMostOften) {
  // The hot area ends three pages past 64 MiB in most snapshots and five
  // pages past it in the others: both count towards one edge (the step is
  // 4 MiB here), which is cut at three pages, not at the step's 64 MiB.
  DamoRecord r;
  r.sample_us = 5000;
  r.aggr_us = 100000;
  for (uint64_t k = 0; k < 200; ++k) {
    const uint64_t edge = kBase + 64 * kMiB + (k % 4 == 0 ? 5 : 3) * kPage;
    r.snapshots.push_back({k * 100'000'000, (k + 1) * 100'000'000, 0,
                           {{kBase, edge, 20}, {edge, kBase + 256 * kMiB, 0}}});
  }
  ReplayOptions o;
  o.segments = 4;
  const ProcessSpec p = replay_scenario({r}, o).processes[0];
  ASSERT_EQ(p.regions.size(), 2u);
  EXPECT_EQ(p.regions.back().size, 64 * kMiB + 3 * kPage);
  EXPECT_EQ(p.regions.front().size, 192 * kMiB - 3 * kPage);
}

// The share of the 5 ms windows of [from, from + 500 ms) in which
// `range` was touched, checking that it was touched whole or not at all.
double whole_windows(const SimMachine& m, int pid, AddrRange range, uint64_t from) {
  int windows = 0, whole = 0;
  for (uint64_t t = from; t + 5000 <= from + 500000; t += 5000, ++windows) {
    const uint64_t bytes = m.touched_bytes(Space::process(pid), range, t, t + 5000);
    EXPECT_TRUE(bytes == 0 || bytes == range.size()) << bytes << " at " << t;
    whole += bytes == range.size();
  }
  return static_cast<double>(whole) / windows;
}

TEST(ScenarioReplay, TheSimulatedProcessIsAccessedAsRecorded) {
  const Scenario s = replay_scenario({two_phase_record(12, 2, 5)});
  ManualClock clock(0);
  SimMachine m(s, clock);
  const int pid = *m.pid_of("stairs");
  // The replayed mappings are one block of 32 MiB in the record's order.
  std::vector<RegionTruth> mine;
  for (const RegionTruth& r : m.region_truth(pid))
    if (!r.name.starts_with('[')) mine.push_back(r);
  ASSERT_EQ(mine.size(), 3u);
  EXPECT_EQ(mine[0].name, "0x7f1200000000");
  EXPECT_EQ(mine[0].vaddr.end, mine[1].vaddr.start);
  EXPECT_EQ(mine[1].vaddr.end, mine[2].vaddr.start);
  EXPECT_EQ(mine[2].vaddr.end - mine[0].vaddr.start, 32 * kMiB);
  // The program's own mappings are not accessed: the record holds those.
  for (const RegionTruth& r : m.region_truth(pid))
    if (r.name.starts_with('[')) {
      EXPECT_EQ(r.access.intensity, 0) << r.name;
    }
  // A segment is touched as a whole or not at all in a 5 ms window, and
  // in as many of them as recorded (12 and 2 of 20 samples), in the first
  // phase (0 to 500 ms) and then in the second.
  const uint64_t lo = mine[0].vaddr.start;
  clock.set(1000000);
  EXPECT_NEAR(whole_windows(m, pid, {lo, lo + 8 * kMiB}, 0), 12.0 / 20, 0.15);
  EXPECT_NEAR(whole_windows(m, pid, {lo + 8 * kMiB, lo + 24 * kMiB}, 0), 2.0 / 20, 0.08);
  EXPECT_NEAR(whole_windows(m, pid, {lo + 24 * kMiB, lo + 32 * kMiB}, 500000), 12.0 / 20, 0.15);
  EXPECT_NEAR(whole_windows(m, pid, {lo + 8 * kMiB, lo + 24 * kMiB}, 500000), 2.0 / 20, 0.08);
  // Nested: the segment seen in 2 of 20 samples is touched only in windows
  // in which the one seen in 12 is; in the second phase the two cold ones
  // (2 of 20 both) at once.
  for (uint64_t t = 0; t + 5000 <= 1000000; t += 5000) {
    const auto any = [&](uint64_t start) {  // the segment's first page: the whole segment
      return m.touched_bytes(Space::process(pid), {start, start + kPage}, t, t + 5000) != 0;
    };
    if (t < 500000) {
      EXPECT_TRUE(!any(lo + 8 * kMiB) || any(lo)) << t;
    } else {
      EXPECT_EQ(any(lo), any(lo + 8 * kMiB)) << t;
    }
  }
}

// Two 8 MiB segments, a below b, with the given counts of 20 samples per
// 100 ms snapshot.
DamoRecord counts_record(const std::vector<std::pair<double, double>>& counts) {
  DamoRecord r;
  r.sample_us = 5000;
  r.aggr_us = 100000;
  uint64_t t = 0;
  for (const auto& [a, b] : counts) {
    r.snapshots.push_back({t, t + 100'000'000, 0, {{kBase, kBase + 8 * kMiB, a}, {kBase + 8 * kMiB, kBase + 16 * kMiB, b}}});
    t += 100'000'000;
  }
  return r;
}

// Where the simulated process has counts_record()'s segments a and b.
std::pair<AddrRange, AddrRange> segments_of(const SimMachine& m, int pid) {
  AddrRange a, b;
  for (const RegionTruth& r : m.region_truth(pid)) {
    if (r.name == "0x7f1200000000") a = r.vaddr;
    if (r.name == "0x7f1200800000") b = r.vaddr;
  }
  return {a, b};
}

TEST(ScenarioReplay, APhaseChangeInsideASnapshotIsReplayedAsOneChange) {
  // a busy, then in snapshot 3 a in the first and b in the last 10 of the
  // 20 samples, then b busy: a's accesses end early in that snapshot and
  // b's start late, each over about half of it, at the m-of-m rate.
  const ProcessSpec p = replay_scenario({counts_record({{20, 0}, {20, 0}, {20, 0}, {10, 10}, {0, 20}, {0, 20}, {0, 20}})})
                            .processes[0];
  ASSERT_EQ(p.regions.size(), 2u);  // b first: highest address first
  const double busy = replay_intensity(20, 20, 5000);
  const uint64_t half = static_cast<uint64_t>(std::llround(0.5 / (19.5 / 20) * 100000));
  ASSERT_EQ(p.phases.size(), 3u);
  EXPECT_EQ(p.phases[0].duration_us, 300000 + half - (2 * half - 100000));
  EXPECT_EQ(p.phases[1].duration_us, 2 * half - 100000);  // both, where the halves meet
  EXPECT_EQ(p.phases[2].duration_us, 300000 + 100000 - half);
  EXPECT_EQ(p.phases[0].access[1].intensity, busy);
  EXPECT_EQ(p.phases[0].access[0].intensity, 0);
  EXPECT_EQ(p.phases[1].access[0].intensity, busy);
  EXPECT_EQ(p.phases[1].access[1].intensity, busy);
  EXPECT_EQ(p.phases[2].access[1].intensity, 0);

  // A DAMON window over the first 40 ms of snapshot 3 sees a only, one
  // over its last 40 ms b only.
  ManualClock clock(0);
  SimMachine m(replay_scenario({counts_record({{20, 0}, {20, 0}, {20, 0}, {10, 10}, {0, 20}, {0, 20}, {0, 20}})}),
               clock);
  const int pid = *m.pid_of("stairs");
  const auto [a, b] = segments_of(m, pid);
  clock.set(500000);
  EXPECT_EQ(m.touched_bytes(Space::process(pid), b, 300000, 340000), 0u);
  EXPECT_EQ(m.touched_bytes(Space::process(pid), a, 360000, 400000), 0u);
  EXPECT_GT(m.touched_bytes(Space::process(pid), a, 300000, 305000), a.size() / 2);
  EXPECT_GT(m.touched_bytes(Space::process(pid), b, 395000, 400000), b.size() / 2);
}

TEST(ScenarioReplay, AnAccessInOneSnapshotAloneIsCentredAndSteadyOnesSpread) {
  // a steady in 6 of 20 samples of every snapshot; b in 4 of snapshot 2
  // alone: its accesses over about 4 sampling intervals in its middle.
  ManualClock clock(0);
  SimMachine m(replay_scenario({counts_record({{6, 0}, {6, 0}, {6, 4}, {6, 0}, {6, 0}})}), clock);
  const int pid = *m.pid_of("stairs");
  const auto [a, b] = segments_of(m, pid);
  clock.set(500000);
  EXPECT_EQ(m.touched_bytes(Space::process(pid), b, 200000, 238000), 0u);
  EXPECT_GT(m.touched_bytes(Space::process(pid), b, 245000, 250000), b.size() / 2);
  EXPECT_EQ(m.touched_bytes(Space::process(pid), b, 262000, 300000), 0u);
  EXPECT_NEAR(whole_windows(m, pid, a, 0), 6.0 / 20, 0.12);
}

TEST(ScenarioReplay, SamplesPerAggregationComeFromTheRecordsIntervals) {
  // A busy kdamond (a slow guest) took 190 ms per aggregation, still of
  // 20 samples: 20 is every sample, not 20 of 38, and each sample watched
  // its page for 9.5 ms.
  DamoRecord r = two_phase_record(20, 10, 1);
  for (size_t k = 0; k < r.snapshots.size(); ++k) {
    r.snapshots[k].start_ns = k * 190'000'000;
    r.snapshots[k].end_ns = (k + 1) * 190'000'000;
  }
  const ProcessSpec p = replay_scenario({r}).processes[0];
  EXPECT_EQ(p.phases[0].access[2].intensity, replay_intensity(20, 20, 9500));
  EXPECT_EQ(p.phases[0].access[0].intensity, replay_intensity(10, 20, 9500));
  EXPECT_EQ(p.phases[0].duration_us, 190000u);
  // Without intervals, the snapshot's length and damo's sampling interval.
  r.sample_us = r.aggr_us = 0;
  const ProcessSpec q = replay_scenario({r}).processes[0];
  EXPECT_EQ(q.phases[0].access[2].intensity, replay_intensity(20, 38, 5000));
}

TEST(ScenarioReplay, LoopOffEndsTheProcessAfterTheLastSnapshot) {
  ReplayOptions o;
  o.loop = false;
  o.name = "a-very-long-process-name";
  const Scenario s = replay_scenario({two_phase_record(20, 0, 1)}, o);
  EXPECT_EQ(s.processes[0].name, "a-very-long-pro");
  ManualClock clock(0);
  SimMachine m(s, clock);
  clock.set(150000);
  EXPECT_TRUE(m.processes()[0].alive);
  clock.set(250000);
  EXPECT_FALSE(m.processes()[0].alive);
}

TEST(ScenarioReplay, TruthOfTheReplayIsTheRecord) {
  // The truth export of a replayed record gives back the recorded
  // nr_accesses, segment by segment.
  const Scenario s = replay_scenario({two_phase_record(14, 3, 4)});
  TruthExportOptions o;
  o.duration_us = 800000;
  o.scenario_regions_only = true;
  const auto truth = truth_records(s, o);
  ASSERT_EQ(truth.size(), 1u);
  ASSERT_EQ(truth[0].snapshots.size(), 8u);
  for (size_t k = 0; k < 8; ++k) {
    const auto& regions = truth[0].snapshots[k].regions;
    ASSERT_EQ(regions.size(), 3u);
    EXPECT_EQ(regions[0].end - regions[0].start, 8 * kMiB);
    const bool first = k < 4;
    EXPECT_NEAR(regions[0].nr_accesses, first ? 14 : 3, 1e-6) << k;
    EXPECT_NEAR(regions[1].nr_accesses, 3, 1e-6);
    EXPECT_NEAR(regions[2].nr_accesses, first ? 3 : 14, 1e-6);
  }
}

TEST(ScenarioReplay, TruthOfARandomAndASequentialRegion) {
  Scenario s;
  s.machine = default_machine();
  RegionSpec seq = test::region("seq", 64 * kMiB);
  s.processes.push_back(test::steady_process(
      "p", {{test::region("hot", 16 * kMiB), test::random_access(100)},
            {seq, Access{10, Pattern::sequential, 4096}}}));
  TruthExportOptions o;
  o.duration_us = 1'000'000;
  const auto truth = truth_records(s, o);
  ASSERT_EQ(truth[0].snapshots.size(), 10u);
  // [text] [data] [heap], the two regions (seq below hot), [stack].
  const auto& regions = truth[0].snapshots[3].regions;
  ASSERT_EQ(regions.size(), 6u);
  EXPECT_NEAR(regions[4].nr_accesses, 20 * -std::expm1(-100 * 0.005), 1e-9);
  // The cursor laps 10 times a second: a page is passed in 5 % of 5 ms windows.
  EXPECT_NEAR(regions[3].nr_accesses, 20 * 0.05, 1e-9);
  EXPECT_NEAR(regions[5].nr_accesses, 20 * -std::expm1(-50 * 0.005), 1e-9);  // the stack
}

TEST(ScenarioReplay, RecordFilesAreScenariosAndYamlWrapsThem) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("damonfs-replay-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  write_damo_records({two_phase_record(20, 0, 2)}, (dir / "masim.data").string(), true);
  const Scenario direct = load_scenario((dir / "masim.data").string());
  ASSERT_EQ(direct.processes.size(), 1u);
  EXPECT_EQ(direct.processes[0].name, "masim");
  EXPECT_EQ(direct.processes[0].regions.size(), 3u);
  {
    std::ofstream y(dir / "wrap.yaml");
    y << "name: wrapped\nmachine:\n  nodes:\n    - {id: 0, capacity: 1GiB, latency: 90ns}\n"
         "replay:\n  file: masim.data\n  name: work\n  loop: false\n  segments: 16\n";
  }
  const Scenario wrapped = load_scenario((dir / "wrap.yaml").string());
  EXPECT_EQ(wrapped.machine.nodes.size(), 1u);
  ASSERT_EQ(wrapped.processes.size(), 1u);
  EXPECT_EQ(wrapped.processes[0].name, "work");
  EXPECT_FALSE(wrapped.processes[0].loop);
  {
    std::ofstream y(dir / "bad.yaml");
    y << "replay: {file: masim.data, segments: 0}\n";
  }
  try {
    load_scenario((dir / "bad.yaml").string());
    ADD_FAILURE() << "segments 0 accepted";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "bad.yaml").string() + ":1: segments: must be 1 to 65536");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace damon::sim
