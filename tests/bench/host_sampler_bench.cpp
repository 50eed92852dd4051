// What sampling a real process costs with each access sampler this kernel
// offers (--machine host), against the process's resident memory.
//
// One iteration = one sampling interval of one target with 100 regions:
// mkold() of 100 addresses, then young() of the same 100 (CPU time of the
// calling thread, system time included: the cost is mostly the kernel's).
// The workload (tests/host/workload.c) keeps 16 MiB hot and 256 MiB or
// 4 GiB resident and cold (272 and 4112 MiB resident in all). Baseline in the same run: reading the
// process's mappings (/proc/PID/maps, what the vaddr ops do each update interval), which does not
// grow with resident memory.
//
// DAMONFS_BENCH_COLD_MIB="A,B" replaces the two cold sizes (256,4096), e.g.
// for a small VM that has the other samplers.
//
// No budget is enforced: clear_refs and soft_dirty cost a walk of every
// page table of the process per sample (the kernel's work, linear in
// resident memory), page_idle costs per sampled page. The summary prints
// the ratios and the CPU share at the default 5 ms sampling interval.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/machine/host/access_sampler.h"
#include "engine/machine/host/host_machine.h"
#include "tests/host/workload_process.h"
#include "tests/support/recording_log.h"

namespace damon::host {
namespace {

constexpr size_t kRegions = 100;
constexpr uint64_t kHotMiB = 16;
constexpr double kDefaultSampleUs = 5000;

// One workload per resident size, started on first use and kept for the run.
test::WorkloadProcess& workload(uint64_t cold_mib) {
  static std::map<uint64_t, std::unique_ptr<test::WorkloadProcess>> running;
  auto& w = running[cold_mib];
  if (!w) {
    const std::string file = std::string(DAMONFS_HOST_SCRATCH) + "/host_sampler_bench." +
                             std::to_string(::getpid()) + "." + std::to_string(cold_mib);
    w = std::make_unique<test::WorkloadProcess>(
        DAMONFS_HOST_WORKLOAD, file,
        test::WorkloadSpec{
            .hot_mib = kHotMiB, .cold_mib = cold_mib, .file_mib = 0, .pause_us = 1000});
  }
  return *w;
}

// kRegions addresses over the hot and cold mappings, as regions would be.
std::vector<uint64_t> sampling_addrs(const test::WorkloadProcess& w) {
  std::vector<uint64_t> addrs;
  const AddrRange ranges[] = {w.hot(), w.cold()};
  for (size_t i = 0; i < kRegions; ++i) {
    const AddrRange r = ranges[i % 2];
    addrs.push_back(r.start + (r.size() / kPageSize * i / kRegions) * kPageSize);
  }
  return addrs;
}

void BM_SampleInterval(benchmark::State& state, SamplerKind kind, uint64_t cold_mib) {
  test::WorkloadProcess& w = workload(cold_mib);
  std::unique_ptr<AccessSampler> sampler = make_sampler(kind);
  const Space space = Space::process(w.pid());
  const std::vector<uint64_t> addrs = sampling_addrs(w);
  YoungBits young;
  size_t hot_young = 0;
  for (auto _ : state) {
    if (sampler->mkold(space, addrs) || sampler->young(space, addrs, young)) {
      state.SkipWithError("sampling failed");
      return;
    }
    hot_young += static_cast<size_t>(std::count(young.begin(), young.end(), true));
  }
  state.counters["young_per_sample"] =
      static_cast<double>(hot_young) / static_cast<double>(state.iterations());
  state.counters["rss_MiB"] = static_cast<double>(kHotMiB + cold_mib);
}

void BM_ReadMaps(benchmark::State& state, uint64_t cold_mib) {
  test::WorkloadProcess& w = workload(cold_mib);
  damon::test::RecordingLog log;
  HostMachine machine(log);
  for (auto _ : state) benchmark::DoNotOptimize(machine.vmas(w.pid()));
}

double fastest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter() : ConsoleReporter(OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (!r.error_occurred && r.run_type == Run::RT_Aggregate && r.aggregate_name == "min")
        min_cpu_us[r.run_name.function_name] = r.GetAdjustedCPUTime();
    }
  }
  std::map<std::string, double> min_cpu_us;
};

// The two cold sizes: 256 and 4096 MiB, or DAMONFS_BENCH_COLD_MIB.
std::array<uint64_t, 2> cold_sizes() {
  std::array<uint64_t, 2> sizes = {256, 4096};
  if (const char* env = std::getenv("DAMONFS_BENCH_COLD_MIB")) {
    char* end = nullptr;
    sizes[0] = std::strtoull(env, &end, 10);
    if (end && *end == ',') sizes[1] = std::strtoull(end + 1, nullptr, 10);
  }
  return sizes;
}

std::string name(const char* what, uint64_t cold_mib) {
  return std::string(what) + "/rss_MiB:" + std::to_string(kHotMiB + cold_mib);
}

}  // namespace
}  // namespace damon::host

int main(int argc, char** argv) {
  using namespace damon::host;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const KernelFeatures features = probe_kernel_features();
  std::printf("%s", features.describe().c_str());
  const std::array<uint64_t, 2> sizes = cold_sizes();
  std::vector<SamplerKind> kinds;
  for (SamplerKind k : {SamplerKind::page_idle, SamplerKind::soft_dirty, SamplerKind::clear_refs}) {
    if (sampler_available(k, features)) kinds.push_back(k);
  }
  for (uint64_t mib : sizes) {
    auto configure = [](benchmark::internal::Benchmark* b) {
      b->Repetitions(3)
          ->ComputeStatistics("min", fastest)
          ->ReportAggregatesOnly(true)
          ->MinTime(0.5)
          ->Unit(benchmark::kMicrosecond);
    };
    configure(benchmark::RegisterBenchmark(name("maps", mib).c_str(), BM_ReadMaps, mib));
    for (SamplerKind k : kinds)
      configure(benchmark::RegisterBenchmark(name(sampler_name(k), mib).c_str(), BM_SampleInterval,
                                             k, mib));
  }
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\nPer sampling interval, %zu regions, CPU time (fastest of 3):\n", kRegions);
  const std::string small_rss = std::to_string(kHotMiB + sizes[0]) + " MiB rss";
  const std::string large_rss = std::to_string(kHotMiB + sizes[1]) + " MiB rss";
  std::printf("%-12s %14s %14s %10s %22s\n", "", small_rss.c_str(), large_rss.c_str(), "ratio",
              ("CPU share @5ms, " + large_rss).c_str());
  auto cost = [&](const std::string& what, uint64_t mib) {
    auto it = reporter.min_cpu_us.find(name(what.c_str(), mib));
    return it == reporter.min_cpu_us.end() ? -1.0 : it->second;
  };
  std::vector<std::string> rows = {"maps"};
  for (SamplerKind k : kinds) rows.push_back(sampler_name(k));
  for (const std::string& row : rows) {
    const double small = cost(row, sizes[0]), large = cost(row, sizes[1]);
    if (small <= 0 || large <= 0) continue;
    std::printf("%-12s %11.1f us %11.1f us %9.1fx %21.1f%%\n", row.c_str(), small, large,
                large / small, large / kDefaultSampleUs * 100);
  }
  for (SamplerKind k : kinds) {
    const double base = cost("maps", sizes[0]), c = cost(sampler_name(k), sizes[0]);
    if (base > 0 && c > 0)
      std::printf("%s at %s = %.1f x reading /proc/PID/maps\n", sampler_name(k), small_rss.c_str(),
                  c / base);
  }
  return 0;
}
