// Data-attribute probes on the simulated machine (issue 11 acceptance): with
// paddr monitoring a node that holds anonymous and file-backed memory of
// two processes in different memcgs, each region's probe hits over an
// aggregation, divided by the samples taken, match the share of its pages
// the probe's filters pass (ground truth: the simulator's folios), within
// 10 percentage points for every region of at least 64 pages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/context.h"
#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/sim_machine.h"
#include "engine/ops/probes.h"
#include "engine/ops/registry.h"

namespace damon {
namespace {

using sim::kGiB;
using sim::kMiB;

sim::RegionSpec region(std::string name, uint64_t size, std::string file = "") {
  sim::RegionSpec r;
  r.name = std::move(name);
  r.size = size;
  r.file = std::move(file);
  return r;
}

sim::ProcessSpec process(std::string name, std::string cgroup, std::vector<sim::RegionSpec> regions) {
  sim::ProcessSpec p;
  p.name = std::move(name);
  p.cgroup = std::move(cgroup);
  std::vector<sim::Access> access(regions.size(), sim::Access{100, sim::Pattern::random, 4096});
  p.regions = std::move(regions);
  p.phases = {sim::PhaseSpec{"steady", 60000000, access}};
  return p;
}

ProbeFilter filter(FilterType type, bool matching, bool allow, std::string path = "") {
  return ProbeFilter{type, matching, allow, std::move(path)};
}

// Share of the region's pages each probe passes, from the simulator's folios.
std::vector<double> truth(const sim::SimMachine& machine, const std::vector<ReadyProbe>& probes,
                          AddrRange r) {
  std::vector<double> passed(probes.size(), 0);
  uint64_t covered = 0;
  for (const FolioInfo& f : machine.folios(Space::phys(), r)) {
    const uint64_t start = std::max(f.addr, r.start), end = std::min(f.addr + f.size, r.end);
    const SampledPage page{f.present, f.anon, f.memcg};
    for (size_t p = 0; p < probes.size(); ++p)
      if (probe_hit(probes[p], page)) passed[p] += static_cast<double>(end - start);
    covered += end - start;
  }
  // Frames no process owns are no folio: they match neither anon nor memcg.
  const SampledPage none{};
  for (size_t p = 0; p < probes.size(); ++p) {
    if (probe_hit(probes[p], none)) passed[p] += static_cast<double>(r.size() - covered);
    passed[p] /= static_cast<double>(r.size());
  }
  return passed;
}

class Checker final : public SchemesHook {
 public:
  Checker(const sim::SimMachine& machine, std::vector<ReadyProbe> probes)
      : machine_(machine), probes_(std::move(probes)) {}
  uint64_t watermark_wait_us(Context&) override { return 0; }
  void apply(Context& ctx) override {
    if (!ctx.aggregation_boundary()) return;
    // The first aggregations fault the workload in: the truth moves under
    // the samples.
    if (++aggregations <= 4) return;
    const double samples = static_cast<double>(ctx.samples_per_aggregation());
    for (const Region& r : ctx.targets()[0].regions) {
      if (r.size() < 64 * kPageSize) continue;
      const std::vector<double> share = truth(machine_, probes_, r.ar);
      for (size_t p = 0; p < probes_.size(); ++p) {
        const double seen = r.probe_hits[p] / samples;
        ++checked;
        if (share[p] > 0.2 && share[p] < 0.8) ++mixed;
        if (share[p] >= 0.8) ++mostly_passing;
        EXPECT_NEAR(seen, share[p], 0.10) << "probe " << p << " region " << std::hex << r.ar.start
                                          << "-" << r.ar.end << " aggregation " << std::dec
                                          << aggregations;
      }
    }
  }
  uint64_t aggregations = 0, checked = 0, mixed = 0, mostly_passing = 0;

 private:
  const sim::SimMachine& machine_;
  std::vector<ReadyProbe> probes_;
};

TEST(SimProbes, HitsMatchTheShareOfPassingPages) {
  sim::Scenario s;
  s.name = "anon-and-file";
  s.seed = 11;
  s.machine = sim::default_machine();
  s.processes.push_back(process("db", "/db", {region("heap", 512 * kMiB), region("data", 256 * kMiB, "/srv/db")}));
  s.processes.push_back(process("web", "", {region("cache", 384 * kMiB, "/srv/www"), region("heap", 256 * kMiB)}));

  ManualClock clock(1000000);
  sim::SimMachine machine(s, clock);
  ContextParams params;
  params.ops = OpsId::paddr;
  // Node 0 (4 GiB from 4 GiB): where both processes live.
  params.targets.push_back({0, false, {{4 * kGiB, 8 * kGiB}}});
  // 250 samples per aggregation: the hits counters are bytes, and 250
  // samples put a half-anon region's sampling error at 3 %.
  params.attrs.sample_us = 1000;
  params.attrs.aggr_us = 250000;
  params.probes = {
      {.weight = 0, .filters = {filter(FilterType::anon, true, true)}},
      // File pages of the root memcg: reject /db, then reject anon.
      {.weight = 0,
       .filters = {filter(FilterType::memcg, true, false, "/db\n"), filter(FilterType::anon, true, false)}},
  };
  Checker checker(machine, ready_probes(params.probes));
  Context ctx(params, machine, clock, 7, make_operations);
  ctx.set_schemes_hook(&checker);
  ASSERT_EQ(ctx.start(), 0);
  while (checker.aggregations < 12) {
    clock.advance(ctx.next_sleep_us());
    ctx.iterate();
  }
  // The check saw regions of every kind, not just empty memory.
  EXPECT_GT(checker.checked, 100u);
  EXPECT_GT(checker.mostly_passing, 10u);
  EXPECT_GT(checker.mixed, 0u);
}

// Data attributes-only monitoring (7.3): once a probe has a weight, the
// samples feed the probes only. nr_accesses stays 0 while the same workload
// without weights is seen accessed, and the regions still carry hits.
TEST(SimProbes, WeightsTurnAccessCountingOff) {
  for (const uint32_t weight : {0u, 1u}) {
    sim::Scenario s;
    s.name = "attrs-only";
    s.seed = 5;
    s.machine = sim::default_machine();
    s.processes.push_back(process("db", "", {region("heap", 256 * kMiB), region("data", 256 * kMiB, "/srv/db")}));
    ManualClock clock(1000000);
    sim::SimMachine machine(s, clock);
    ContextParams params;
    params.ops = OpsId::paddr;
    params.targets.push_back({0, false, {{4 * kGiB, 8 * kGiB}}});
    params.probes = {{.weight = weight, .filters = {filter(FilterType::anon, true, true)}}};
    Context ctx(params, machine, clock, 9, make_operations);
    ASSERT_EQ(ctx.start(), 0);
    uint32_t max_nr_accesses = 0, max_hits = 0;
    for (int i = 0; i < 400; ++i) {
      clock.advance(ctx.next_sleep_us());
      ctx.iterate();
      for (const Region& r : ctx.targets()[0].regions) {
        max_nr_accesses = std::max(max_nr_accesses, r.nr_accesses);
        max_hits = std::max<uint32_t>(max_hits, r.probe_hits[0]);
      }
    }
    EXPECT_GT(max_hits, 0u) << "weight " << weight;
    if (weight)
      EXPECT_EQ(max_nr_accesses, 0u);
    else
      EXPECT_GT(max_nr_accesses, 0u);
  }
}

TEST(SimProbes, VaddrCountsNoHits) {
  // Only paddr has the kernel's apply_probes callback.
  sim::Scenario s;
  s.name = "vaddr";
  s.seed = 1;
  s.machine = sim::default_machine();
  s.processes.push_back(process("w", "", {region("heap", 64 * kMiB)}));
  ManualClock clock(1000000);
  sim::SimMachine machine(s, clock);
  ContextParams params;
  params.ops = OpsId::vaddr;
  params.targets.push_back({*machine.pid_of("w"), false, {}});
  params.probes = {{.weight = 0, .filters = {}}};
  Context ctx(params, machine, clock, 3, make_operations);
  ASSERT_EQ(ctx.start(), 0);
  for (int i = 0; i < 30; ++i) {
    clock.advance(ctx.next_sleep_us());
    ctx.iterate();
  }
  for (const Region& r : ctx.targets()[0].regions) EXPECT_EQ(r.probe_hits[0], 0) << std::hex << r.ar.start;
}

TEST(ProbeFilters, FirstMatchDecidesElseTheLastFiltersOpposite) {
  const SampledPage anon{true, true, "/a"}, file{true, false, ""}, none{};
  const auto hit = [](std::vector<ProbeFilter> fs, const SampledPage& page) {
    return probe_hit(ready_probes(std::vector<ProbeParams>{{0, std::move(fs)}})[0], page);
  };
  // No filter: every sample is a hit.
  EXPECT_TRUE(hit({}, file));
  EXPECT_TRUE(hit({}, none));
  // Allow anon: what no filter decides is rejected.
  EXPECT_TRUE(hit({filter(FilterType::anon, true, true)}, anon));
  EXPECT_FALSE(hit({filter(FilterType::anon, true, true)}, file));
  // Reject anon: the rest passes; a page without folio is not anon.
  EXPECT_FALSE(hit({filter(FilterType::anon, true, false)}, anon));
  EXPECT_TRUE(hit({filter(FilterType::anon, true, false)}, file));
  EXPECT_TRUE(hit({filter(FilterType::anon, true, false)}, none));
  // matching=N inverts the condition.
  EXPECT_TRUE(hit({filter(FilterType::anon, false, true)}, file));
  EXPECT_TRUE(hit({filter(FilterType::anon, false, true)}, none));
  // memcg by path as written ("\n" dropped, "/" is the root).
  EXPECT_TRUE(hit({filter(FilterType::memcg, true, true, "/a\n")}, anon));
  EXPECT_TRUE(hit({filter(FilterType::memcg, true, true, "/")}, file));
  EXPECT_FALSE(hit({filter(FilterType::memcg, true, true, "/")}, none));
  EXPECT_FALSE(hit({filter(FilterType::memcg, true, true, "/nosuch")}, anon));
}

}  // namespace
}  // namespace damon
