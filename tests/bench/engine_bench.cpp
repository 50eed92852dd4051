// Monitoring engine cost, measured against budgets that are ratios within
// the same run (DESIGN.md "Budgets"):
//   * CPU time per sampling interval at 100 / 1000 / 10000 regions;
//   * the same regions over 1 GiB and over 1 TiB: cost must not grow with
//     memory size (1 TiB / 1 GiB <= 1.2, i.e. O(nr_regions));
//   * virtual time: simulated seconds per real second at default intervals
//     (>= 100), and the CPU share at default intervals with 1000 regions
//     over 1 TiB (<= 1 %).
// The machine is the core tests' fake: an O(1)-per-query access oracle, so
// what is measured is the engine. Exits 1 when a budget is missed.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "engine/core/context.h"
#include "engine/ops/registry.h"
#include "tests/bench/budget_report.h"
#include "tests/bench/sample_loop.h"
#include "tests/support/oracle_machine.h"

namespace damon {
namespace {

using test::OracleMachine;

constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint64_t kTiB = uint64_t{1} << 40;

// Hot 1/4 of every 1/64 of the memory: regions differ so merging has work,
// and the answer is computed from the address alone.
OracleMachine::Oracle striped(uint64_t memory) {
  const uint64_t stripe = memory / 64;
  return [stripe](Space, uint64_t addr, uint64_t, uint64_t) { return addr / stripe % 4 == 0; };
}

// paddr with `nr` equal user regions and min = max = nr: merge cannot join
// them (the size limit is one region) and split never runs (more than
// max / 2), so the count stays exactly nr.
ContextParams fixed_regions(uint64_t memory, uint64_t nr) {
  ContextParams p;
  p.ops = OpsId::paddr;
  p.attrs.min_nr_regions = p.attrs.max_nr_regions = nr;
  TargetParams t;
  const uint64_t size = memory / nr;
  for (uint64_t i = 0; i < nr; ++i) t.regions.push_back({i * size, (i + 1) * size});
  p.targets.push_back(t);
  return p;
}

// One benchmark iteration = one sampling interval (iterate() with the
// virtual clock moved to its deadline), aggregations included as they come.
void BM_SampleInterval(benchmark::State& state) {
  const uint64_t nr = static_cast<uint64_t>(state.range(0));
  const uint64_t memory = static_cast<uint64_t>(state.range(1)) * kGiB;
  ManualClock clock;
  OracleMachine machine(clock);
  machine.set_oracle(striped(memory));
  Context ctx(fixed_regions(memory, nr), machine, clock, 1, make_operations);
  if (!bench::time_sample_intervals(state, ctx, clock)) return;
  if (ctx.nr_regions() != nr) state.SkipWithError("region count drifted");
  state.counters["regions"] = static_cast<double>(ctx.nr_regions());
}
BENCHMARK(BM_SampleInterval)
    ->ArgNames({"regions", "GiB"})
    ->Apply(bench::min_of_ten)
    ->Args({100, 1})
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({100, 1024})
    ->Args({1000, 1024})
    ->Args({10000, 1024})
    ->Unit(benchmark::kMicrosecond);

// Default intervals and region limits on a vaddr process with a 1 TiB
// mapping whose access pattern keeps DAMON near max_nr_regions. Each
// iteration simulates 10 s; "sim_x" = simulated seconds per real second.
void BM_VirtualTime(benchmark::State& state) {
  ManualClock clock;
  OracleMachine machine(clock);
  constexpr int kPid = 1;
  constexpr uint64_t kMmap = 0x100000000000;
  auto vma = [](uint64_t start, uint64_t end) {
    Vma v;
    v.start = start;
    v.end = end;
    return v;
  };
  machine.add_process(kPid, {vma(0x400000, 0x800000), vma(kMmap, kMmap + kTiB), vma(0x7ffff0000000, 0x7ffff0800000)});
  // 1 GiB checkerboard over the mapping, flipping every second.
  machine.set_oracle([&clock](Space, uint64_t addr, uint64_t, uint64_t) {
    return ((addr >> 30) + clock.now_us() / 1000000) % 2 == 0;
  });
  ContextParams p;
  p.ops = OpsId::vaddr;
  p.targets.push_back({kPid, false, {}});
  Context ctx(p, machine, clock, 1, make_operations);
  if (ctx.start() != 0) {
    state.SkipWithError("start failed");
    return;
  }
  constexpr uint64_t kSimulatedUs = 10000000;
  uint64_t samples = 0, region_samples = 0;
  for (auto _ : state) {
    const uint64_t until = clock.now_us() + kSimulatedUs;
    while (clock.now_us() < until) {
      clock.advance(ctx.next_sleep_us());
      ctx.iterate();
      ++samples;
      region_samples += ctx.nr_regions();
    }
  }
  state.counters["sim_x"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kSimulatedUs / 1e6, benchmark::Counter::kIsRate);
  state.counters["avg_regions"] = static_cast<double>(region_samples) / static_cast<double>(samples);
}
BENCHMARK(BM_VirtualTime)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace damon

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  damon::bench::BudgetReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const auto cost = [&](int regions, int gib) {
    const std::string name =
        "BM_SampleInterval/regions:" + std::to_string(regions) + "/GiB:" + std::to_string(gib);
    return reporter.min_cpu(name);
  };
  bool ok = true;
  std::printf("\nBudgets (ratios within this run):\n");
  for (int regions : {100, 1000, 10000}) {
    const double small = cost(regions, 1), large = cost(regions, 1024);
    if (small <= 0 || large <= 0) continue;
    const std::string what = "CPU per sample, " + std::to_string(regions) + " regions: 1 TiB / 1 GiB";
    ok &= damon::bench::check(what.c_str(), large / small, "<=", 1.2, large / small <= 1.2);
  }
  if (const double c100 = cost(100, 1024), c10k = cost(10000, 1024); c100 > 0 && c10k > 0) {
    // O(nr_regions): 100x the regions costs at most ~100x (per-sample fixed
    // costs make it cheaper, never dearer).
    ok &= damon::bench::check("CPU per sample, 10000 / 100 regions (1 TiB)", c10k / c100, "<=", 120, c10k / c100 <= 120);
  }
  if (const double c1k = cost(1000, 1024); c1k > 0) {
    const double share = c1k / 5000.0 * 100;  // % of one CPU at sample_us 5000
    ok &= damon::bench::check("CPU share at default intervals, 1000 regions, 1 TiB (%)", share, "<=", 1.0, share <= 1.0);
  }
  for (const auto& [key, value] : reporter.counters) {
    if (key.starts_with("BM_VirtualTime") && key.ends_with(":sim_x"))
      ok &= damon::bench::check("virtual time: simulated s per real s", value, ">=", 100, value >= 100);
  }
  return ok ? 0 : 1;
}
