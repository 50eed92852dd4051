// Monitoring cost on the simulated machine: the engine and SimMachine
// together, as a kdamond running against `damonfs --machine sim` pays it.
// Budgets are ratios within the same run (DESIGN.md "Budgets"):
//   * CPU share of one vaddr kdamond at default intervals (sample 5 ms,
//     aggr 100 ms) with 1000 regions over a 1 TiB simulated process (<= 1 %);
//   * the same regions over 1 GiB and over 1 TiB: neither the engine nor
//     the simulator may grow with memory size (1 TiB / 1 GiB <= 1.2);
//   * the same at 1 TiB on a machine whose nodes have a bandwidth (the
//     bandwidth model on, its demand saturating both nodes) against none
//     (<= 1.3);
//   * paddr with two data-attribute probes (an anon one and a memcg + anon
//     one) against none, 1000 regions over the same process's frames
//     (<= 1.3).
//   * a replayed 10-minute damo record (scenario_replay.h: 6000 snapshots
//     of a target whose regions jitter, at most 256 segments) against a
//     scenario of the same size written as phases (the same regions and
//     phase durations, placed and accessed as a YAML scenario's) (<= 1.2).
//   * DAMON's tracepoints: a sink that wants nothing (nobody listening)
//     against none (<= 1.05), and the cost of a damonfs/trace listener
//     taking every damon_aggregated line (reported, with the lines per
//     sample it formats).
// BM_SimSampling times the machine's side alone (mkold and young of 1000
// sorted addresses), to show how the total splits. Exits 1 when a budget
// is missed.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/core/context.h"
#include "engine/core/random.h"
#include "engine/machine/sim/scenario_replay.h"
#include "engine/machine/sim/sim_machine.h"
#include "engine/ops/registry.h"
#include "fs/control/trace_buffer.h"
#include "fs/control/trace_info.h"
#include "tests/bench/budget_report.h"
#include "tests/bench/sample_loop.h"

namespace damon {
namespace {

using sim::SimMachine;
using sim::SimOptions;

constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint64_t kNrRegions = 1000;

// One process whose memory is four equal mappings accessed the ways the
// simulator models: hot and cold random pages, a warm sequential sweep and
// a huge-page (THP) mapping, so every path of young() is on the clock.
// With `bandwidth`, the machine is DDR plus CXL with the interleave seed's
// bandwidths, the cold mapping on CXL: the model solves for two loaded
// nodes at every step.
sim::Scenario process_of(uint64_t memory, bool bandwidth = false) {
  sim::Scenario s;
  s.name = "sim_engine_bench";
  s.seed = 42;
  // Room for the process, its system mappings and the min watermark.
  s.machine.nodes = {sim::NodeSpec{.id = 0, .capacity = memory + 4 * kGiB, .latency_ns = 100, .has_cpu = true,
                                   .reserved = 0}};
  if (bandwidth) {
    s.machine.nodes[0].bandwidth = 72e9;
    s.machine.nodes.push_back(sim::NodeSpec{
        .id = 1, .capacity = memory / 4 + 4 * kGiB, .latency_ns = 250, .has_cpu = false, .bandwidth = 26e9});
  }
  sim::ProcessSpec p;
  p.name = "bench";
  sim::PhaseSpec phase{"steady", 0, {}};
  const auto add = [&](const char* name, bool thp, sim::Access a) {
    sim::RegionSpec r;
    r.name = name;
    r.size = memory / 4;
    r.thp = thp;
    if (bandwidth && std::string(name) == "cold") r.node = 1;
    p.regions.push_back(r);
    phase.access.push_back(a);
  };
  add("hot", false, {50, sim::Pattern::random, 4096});
  add("cold", false, {0.1, sim::Pattern::random, 4096});
  add("sweep", false, {5, sim::Pattern::sequential, 4096});
  add("huge", true, {1, sim::Pattern::random, 4096});
  p.phases.push_back(phase);
  s.processes.push_back(p);
  return s;
}

// The scenario regions' span, in the sim's address order.
AddrRange mmap_span(const SimMachine& m, int pid) {
  AddrRange span{~uint64_t{0}, 0};
  for (const sim::RegionTruth& r : m.region_truth(pid)) {
    if (r.name.front() == '[') continue;  // [text] [data] [heap] [stack]
    span.start = std::min(span.start, r.vaddr.start);
    span.end = std::max(span.end, r.vaddr.end);
  }
  return span;
}

// The machine the budgets time: they are CPU time at the default speed,
// where the sampling helper sleeps (chunk_runner.h), and the benchmark
// counts only its own thread's CPU.
SimOptions alone() {
  SimOptions options;
  options.sampling_helper = sim::ChunkRunner::Wake::never;
  return options;
}
// The machine as it runs ahead of the wall clock (`--clock manual`), the
// helper taking part in every batch: timed in wall time.
SimOptions helped() {
  SimOptions options;
  options.sampling_helper = sim::ChunkRunner::Wake::always;
  return options;
}

// vaddr at default intervals with `kNrRegions` equal user regions over the
// mappings and min = max = kNrRegions: merging cannot join them (the size
// limit is one region), splitting never runs (more than max / 2), and the
// periodic update only adds one region for the program's own mappings and
// one for the stack.
ContextParams fixed_regions(int pid, AddrRange span) {
  ContextParams p;
  p.ops = OpsId::vaddr;
  p.attrs.min_nr_regions = p.attrs.max_nr_regions = kNrRegions;
  TargetParams t;
  t.pid = pid;
  const uint64_t size = (span.end - span.start) / kNrRegions / kPageSize * kPageSize;
  for (uint64_t i = 0; i < kNrRegions; ++i) {
    const uint64_t end = i + 1 == kNrRegions ? span.end : span.start + (i + 1) * size;
    t.regions.push_back({span.start + i * size, end});
  }
  p.targets.push_back(t);
  return p;
}

// One benchmark iteration = one sampling interval of the engine on the sim
// (iterate() with the virtual clock moved to its deadline), aggregations
// and the simulation's own time steps included as they come. `trace`: 0 no
// tracepoint sink, 1 damonfs's sink with nobody listening, 2 a listener of
// damon_aggregated that reads damonfs/trace after every aggregation.
void BM_SimSampleInterval(benchmark::State& state) {
  const uint64_t memory = static_cast<uint64_t>(state.range(0)) * kGiB;
  ManualClock clock;
  SimMachine machine(process_of(memory, state.range(1) != 0), clock, state.range(3) ? helped() : alone());
  const int pid = *machine.pid_of("bench");
  Context ctx(fixed_regions(pid, mmap_span(machine, pid)), machine, clock, 1, make_operations);
  damonfs::fs::TraceBuffer trace;
  const damonfs::fs::TraceInfo trace_files(trace, damonfs::fs::AbiProfile::latest());
  const std::vector<std::string> trace_file = {"trace"};
  if (state.range(2)) ctx.set_trace_sink(&trace);
  if (state.range(2) == 2) trace_files.write(trace_file, "damon:damon_aggregated", [](int) {});
  if (ctx.start() != 0) {
    state.SkipWithError("start failed");
    return;
  }
  uint64_t samples = 0, region_samples = 0, lines = 0;
  for (auto _ : state) {
    clock.advance(ctx.next_sleep_us());
    ctx.iterate();
    ++samples;
    region_samples += ctx.nr_regions();
    if (state.range(2) == 2 && ctx.aggregation_boundary()) {
      const std::string taken = trace_files.read(trace_file).value_or("");
      lines += static_cast<uint64_t>(std::count(taken.begin(), taken.end(), '\n'));
    }
  }
  state.counters["trace_lines_per_sample"] = static_cast<double>(lines) / static_cast<double>(samples);
  const double avg = static_cast<double>(region_samples) / static_cast<double>(samples);
  if (avg < kNrRegions || avg > kNrRegions + 2) state.SkipWithError("region count drifted");
  state.counters["avg_regions"] = avg;
}

// paddr over the frames of node 0 in `kNrRegions` fixed regions, with
// `nr_probes` (0 or 2) data-attribute probes counting hits every sample.
void BM_SimPaddrSampleInterval(benchmark::State& state) {
  const uint64_t memory = static_cast<uint64_t>(state.range(0)) * kGiB;
  ManualClock clock;
  SimMachine machine(process_of(memory), clock, alone());
  const AddrRange phys = machine.phys_ranges().front();
  ContextParams p;
  p.ops = OpsId::paddr;
  p.attrs.min_nr_regions = p.attrs.max_nr_regions = kNrRegions;
  TargetParams t;
  const uint64_t size = (phys.end - phys.start) / kNrRegions / kPageSize * kPageSize;
  for (uint64_t i = 0; i < kNrRegions; ++i)
    t.regions.push_back({phys.start + i * size, i + 1 == kNrRegions ? phys.end : phys.start + (i + 1) * size});
  p.targets.push_back(t);
  if (state.range(1) == 2) {
    p.probes = {{.weight = 0, .filters = {{FilterType::anon, true, true, ""}}},
                {.weight = 0,
                 .filters = {{FilterType::memcg, true, false, "/db\n"}, {FilterType::anon, true, false, ""}}}};
  }
  Context ctx(p, machine, clock, 1, make_operations);
  bench::time_sample_intervals(state, ctx, clock);
}

// A 10-minute `damo record` of one target over 1 GiB, at damo's default
// intervals: 6000 snapshots of 50 regions whose boundaries move by up to
// 64 pages from one snapshot to the next and whose nr_accesses are drawn
// at random, with a hot tenth that walks the range.
sim::DamoRecord ten_minute_record() {
  sim::DamoRecord r;
  r.sample_us = 5000;
  r.aggr_us = 100000;
  r.ops_update_us = 1000000;
  Rng rng(11);
  constexpr uint64_t kBase = 0x7f0000000000, kRegions = 50, kStep = kGiB / kRegions / kPageSize * kPageSize;
  for (uint64_t k = 0; k < 6000; ++k) {
    sim::DamoSnapshot s{k * 100'000'000, (k + 1) * 100'000'000, 0, {}};
    uint64_t start = kBase;
    for (uint64_t i = 0; i < kRegions; ++i) {
      const uint64_t end = i + 1 == kRegions ? kBase + kRegions * kStep
                                             : kBase + (i + 1) * kStep + rand_range(rng, 0, 64) * kPageSize;
      const bool hot = i / 5 == (k / 600) % 10;
      s.regions.push_back({start, end, static_cast<double>(hot ? rand_range(rng, 15, 21) : rand_range(rng, 0, 3))});
      start = end;
    }
    r.snapshots.push_back(std::move(s));
  }
  return r;
}

// The replayed record (kind 1), or the same process as a YAML scenario
// gives it (kind 0): its regions each a mapping of its own (gaps and huge
// page alignment between them), each page drawn on its own (YAML has no
// regions accessed together), the same phases.
sim::Scenario replay_of(bool replay) {
  sim::Scenario s;
  s.name = "replay_bench";
  s.machine.nodes = {sim::NodeSpec{.id = 0, .capacity = 8 * kGiB, .latency_ns = 100, .has_cpu = true, .reserved = 0}};
  sim::append_replay_processes({ten_minute_record()}, sim::ReplayOptions{.name = "bench"}, "bench.data", s);
  if (!replay) {
    for (sim::RegionSpec& r : s.processes[0].regions) r.adjoin = r.together = false;
  }
  return s;
}

// One sampling interval of vaddr, as BM_SimSampleInterval, over a replayed
// record or its equal-size phased scenario; the repetitions run on through
// the record's phases (a new phase every 100 ms).
void BM_SimReplaySampleInterval(benchmark::State& state) {
  ManualClock clock;
  SimMachine machine(replay_of(state.range(0) != 0), clock, alone());
  const int pid = *machine.pid_of("bench");
  Context ctx(fixed_regions(pid, mmap_span(machine, pid)), machine, clock, 1, make_operations);
  state.counters["phases"] = static_cast<double>(machine.scenario().processes[0].phases.size());
  state.counters["mappings"] = static_cast<double>(machine.scenario().processes[0].regions.size());
  bench::time_sample_intervals(state, ctx, clock);
}

// The machine's side of one sampling interval: mkold of one random page per
// region, 5 ms of virtual time, young of the same pages.
void BM_SimSampling(benchmark::State& state) {
  const uint64_t memory = static_cast<uint64_t>(state.range(0)) * kGiB;
  ManualClock clock;
  SimMachine machine(process_of(memory), clock, state.range(1) ? helped() : alone());
  const int pid = *machine.pid_of("bench");
  const AddrRange span = mmap_span(machine, pid);
  const uint64_t size = (span.end - span.start) / kNrRegions;
  Rng rng(7);
  std::vector<uint64_t> addrs(kNrRegions);
  YoungBits young;
  uint64_t nr_young = 0, checked = 0;
  for (auto _ : state) {
    for (uint64_t i = 0; i < kNrRegions; ++i)
      addrs[i] = rand_range(rng, span.start + i * size, span.start + (i + 1) * size);
    machine.mkold(Space::process(pid), addrs);
    clock.advance(5000);
    machine.young(Space::process(pid), addrs, young);
    nr_young += static_cast<uint64_t>(std::count(young.begin(), young.end(), true));
    checked += young.size();
  }
  state.counters["young_share"] = static_cast<double>(nr_young) / static_cast<double>(checked);
}

BENCHMARK(BM_SimSampleInterval)
    ->ArgNames({"GiB", "bandwidth", "trace", "helper"})
    ->Apply(bench::min_of_ten)
    ->Args({1, 0, 0, 0})
    ->Args({1024, 0, 0, 0})
    ->Args({1024, 1, 0, 0})
    ->Args({1024, 0, 1, 0})
    ->Args({1024, 0, 2, 0})
    ->Args({1024, 0, 0, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_SimReplaySampleInterval)
    ->ArgNames({"replay"})
    ->Apply(bench::min_of_ten)
    ->Args({0})
    ->Args({1})
    ->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_SimPaddrSampleInterval)
    ->ArgNames({"GiB", "probes"})
    ->Apply(bench::min_of_ten)
    ->Args({16, 0})
    ->Args({16, 2})
    ->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_SimSampling)
    ->ArgNames({"GiB", "helper"})
    ->Apply(bench::min_of_ten)
    ->Args({1, 0})
    ->Args({1024, 0})
    ->Args({1024, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace damon

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  damon::bench::BudgetReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const auto cost = [&](const char* bench, int gib, const char* more = "") {
    return reporter.min_cpu(std::string(bench) + "/GiB:" + std::to_string(gib) + more);
  };
  bool ok = true;
  std::printf("\nBudgets (ratios within this run):\n");
  if (const double small = cost("BM_SimSampleInterval", 1, "/bandwidth:0/trace:0/helper:0"),
      large = cost("BM_SimSampleInterval", 1024, "/bandwidth:0/trace:0/helper:0");
      small > 0 && large > 0) {
    ok &= damon::bench::check("engine+sim CPU per sample, 1000 regions: 1 TiB / 1 GiB", large / small, "<=", 1.2,
                       large / small <= 1.2);
    const double share = large / 5000.0 * 100;  // % of one CPU at sample_us 5000
    ok &= damon::bench::check("engine+sim CPU share, default intervals, 1 TiB (%)", share, "<=", 1.0, share <= 1.0);
  }
  if (const double off = cost("BM_SimSampleInterval", 1024, "/bandwidth:0/trace:0/helper:0"),
      on = cost("BM_SimSampleInterval", 1024, "/bandwidth:1/trace:0/helper:0");
      off > 0 && on > 0) {
    ok &= damon::bench::check("engine+sim CPU per sample, 1 TiB: bandwidth model on / off", on / off, "<=", 1.3,
                              on / off <= 1.3);
  }
  if (const double none = cost("BM_SimSampleInterval", 1024, "/bandwidth:0/trace:0/helper:0"),
      deaf = cost("BM_SimSampleInterval", 1024, "/bandwidth:0/trace:1/helper:0"),
      listening = cost("BM_SimSampleInterval", 1024, "/bandwidth:0/trace:2/helper:0");
      none > 0 && deaf > 0 && listening > 0) {
    ok &= damon::bench::check("engine+sim CPU per sample, 1 TiB: trace sink, nobody listening / none",
                              deaf / none, "<=", 1.05, deaf / none <= 1.05);
    std::printf("%-58s %10.3f  (damon_aggregated listener / none)\n",
                "engine+sim CPU per sample, 1 TiB, listening", listening / none);
  }
  if (const double none = cost("BM_SimPaddrSampleInterval", 16, "/probes:0"),
      two = cost("BM_SimPaddrSampleInterval", 16, "/probes:2");
      none > 0 && two > 0) {
    ok &= damon::bench::check("engine+sim CPU per sample, paddr 1000 regions: 2 probes / none", two / none,
                              "<=", 1.3, two / none <= 1.3);
  }
  if (const double phased = reporter.min_cpu("BM_SimReplaySampleInterval/replay:0"),
      replay = reporter.min_cpu("BM_SimReplaySampleInterval/replay:1");
      phased > 0 && replay > 0) {
    ok &= damon::bench::check("engine+sim CPU per sample: 10-min replay / same-size phases", replay / phased, "<=",
                              1.2, replay / phased <= 1.2);
  }
  if (const double total = cost("BM_SimSampleInterval", 1024, "/bandwidth:0/trace:0/helper:0"),
      machine = cost("BM_SimSampling", 1024, "/helper:0");
      total > 0 && machine > 0) {
    std::printf("%-58s %10.3f  (of %.3f us per sample)\n", "of which the sim's mkold + young (us)", machine, total);
  }
  if (const double alone = reporter.min_real("BM_SimSampling/GiB:1024/helper:0"),
      helped = reporter.min_real("BM_SimSampling/GiB:1024/helper:1");
      alone > 0 && helped > 0) {
    std::printf("%-58s %10.3f  (wall time, %.3f against %.3f us)\n", "the sim's mkold + young: with the helper / alone",
                helped / alone, helped, alone);
  }
  if (const double alone = reporter.min_real("BM_SimSampleInterval/GiB:1024/bandwidth:0/trace:0/helper:0"),
      helped = reporter.min_real("BM_SimSampleInterval/GiB:1024/bandwidth:0/trace:0/helper:1");
      alone > 0 && helped > 0) {
    std::printf("%-58s %10.3f  (wall time, %.3f against %.3f us)\n", "engine+sim per sample: with the helper / alone",
                helped / alone, helped, alone);
  }
  return ok ? 0 : 1;
}
