// The monitoring engine and DAMOS on a real process, in real time, with the
// sampler this kernel offers: what a `--machine host` kdamond does.
#include <gtest/gtest.h>
#include <numa.h>

#include <algorithm>
#include <thread>

#include "engine/core/context.h"
#include "engine/damos/schemes.h"
#include "engine/machine/host/host_machine.h"
#include "engine/ops/registry.h"
#include "tests/support/host_fixture.h"

namespace damon::host {
namespace {

MonitoringAttrs attrs() {
  MonitoringAttrs a;
  a.sample_us = 10000;
  a.aggr_us = 200000;
  a.update_us = 1000000;
  a.min_nr_regions = 10;
  a.max_nr_regions = 1000;
  return a;
}

SchemeParams scheme(Action action, uint64_t min_nr, uint64_t max_nr, uint64_t min_age) {
  SchemeParams s;
  s.action = action;
  s.pattern = {.min_sz = 0,
               .max_sz = ~0ULL,
               .min_nr_accesses = min_nr,
               .max_nr_accesses = max_nr,
               .min_age = min_age,
               .max_age = ~0ULL};
  return s;
}

class HostContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    machine = std::make_unique<HostMachine>(log);
    workload = test::start_workload();
    std::printf("sampler: %s\n", machine->sampler().name.c_str());
  }

  void start(ContextParams p) {
    ctx = std::make_unique<Context>(std::move(p), *machine, clock, 7, make_operations);
    ASSERT_EQ(ctx->start(), 0);
    schemes = std::make_unique<Schemes>(ctx->params().schemes, view_of(*ctx));
    ctx->set_schemes_hook(schemes.get());
  }

  // Runs the loop in real time for `n` aggregation intervals; `at_boundary`
  // sees the regions right after each aggregation.
  template <class Fn>
  void run_aggregations(int n, Fn&& at_boundary) {
    for (int done = 0; done < n && !ctx->targets_all_invalid();) {
      std::this_thread::sleep_for(std::chrono::microseconds(ctx->next_sleep_us()));
      ctx->iterate();
      if (ctx->aggregation_boundary()) {
        at_boundary();
        ++done;
      }
    }
  }
  void run_aggregations(int n) {
    run_aggregations(n, [] {});
  }

  // Bytes-weighted mean of the last aggregation's nr_accesses over `r`.
  double mean_accesses(AddrRange r) const {
    double weighted = 0;
    uint64_t bytes = 0;
    for (const Region& reg : ctx->targets()[0].regions) {
      const uint64_t lo = std::max(reg.ar.start, r.start);
      const uint64_t hi = std::min(reg.ar.end, r.end);
      if (lo >= hi) continue;
      weighted += static_cast<double>(hi - lo) * reg.last_nr_accesses;
      bytes += hi - lo;
    }
    return bytes ? weighted / static_cast<double>(bytes) : -1;
  }

  SteadyClock clock;
  damon::test::RecordingLog log;
  std::unique_ptr<HostMachine> machine;
  std::unique_ptr<test::WorkloadProcess> workload;
  std::unique_ptr<Context> ctx;
  std::unique_ptr<Schemes> schemes;
};

TEST_F(HostContextTest, VaddrFindsTheHotMappingHottest) {
  ContextParams p;
  p.ops = OpsId::vaddr;
  p.attrs = attrs();
  p.targets.push_back(TargetParams{workload->pid(), false, {}});
  start(p);
  // Let regions adapt, then average what the last five aggregations saw.
  run_aggregations(10);
  double hot = 0, cold = 0, file = 0;
  run_aggregations(5, [&] {
    hot += mean_accesses(workload->hot()) / 5;
    cold += mean_accesses(workload->cold()) / 5;
    file += mean_accesses(workload->file()) / 5;
  });
  const double max = static_cast<double>(ctx->samples_per_aggregation());
  std::printf(
      "mean nr_accesses per aggregation (max %.0f): hot %.1f, cold %.1f, file %.1f; %lu regions\n",
      max, hot, cold, file, static_cast<unsigned long>(ctx->nr_regions()));
  EXPECT_GE(hot, 0.7 * max);
  EXPECT_LE(cold, 0.1 * max);
  EXPECT_LE(file, 0.1 * max);
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

TEST_F(HostContextTest, PageoutSchemeDropsTheColdFileMapping) {
  const AddrRange file = workload->file();
  const AddrRange hot = workload->hot();
  ASSERT_EQ(workload->smaps_field(file.start, "Rss"), file.size());
  ContextParams p;
  p.ops = OpsId::fvaddr;
  p.attrs = attrs();
  // The file mapping and the hot one: only the cold one may go.
  std::vector<AddrRange> regions = {file, hot};
  std::sort(regions.begin(), regions.end(),
            [](const AddrRange& a, const AddrRange& b) { return a.start < b.start; });
  p.targets.push_back(TargetParams{workload->pid(), false, regions});
  p.schemes = {scheme(Action::pageout, 0, 0, 3)};
  start(p);
  run_aggregations(8);
  const uint64_t file_rss = workload->smaps_field(file.start, "Rss");
  const uint64_t hot_rss = workload->smaps_field(hot.start, "Rss");
  const SchemeStats stats = schemes->stats()[0];
  std::printf(
      "after pageout: file Rss %lu KiB of %lu, hot Rss %lu KiB of %lu; sz_applied %lu\n",
      static_cast<unsigned long>(file_rss >> 10), static_cast<unsigned long>(file.size() >> 10),
      static_cast<unsigned long>(hot_rss >> 10), static_cast<unsigned long>(hot.size() >> 10),
      static_cast<unsigned long>(stats.sz_applied));
  EXPECT_LT(file_rss, file.size() / 10);
  EXPECT_EQ(hot_rss, hot.size());
  EXPECT_GE(stats.sz_applied, file.size());
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

TEST_F(HostContextTest, MigrateHotToNodeZero) {
  if (numa_available() == -1) GTEST_SKIP() << "no NUMA support";
  ContextParams p;
  p.ops = OpsId::vaddr;
  p.attrs = attrs();
  p.targets.push_back(TargetParams{workload->pid(), false, {}});
  SchemeParams to_zero = scheme(Action::migrate_hot, 5, ~0ULL, 0);
  to_zero.target_nid = 0;
  SchemeParams to_missing = to_zero;
  to_missing.target_nid = numa_max_node() + 1;
  p.schemes = {to_zero, to_missing};
  start(p);
  run_aggregations(8);
  const std::vector<SchemeStats> stats = schemes->stats();
  EXPECT_GT(stats[0].nr_tried, 0u);
  EXPECT_GT(stats[1].nr_tried, 0u);
  EXPECT_EQ(stats[1].sz_applied, 0u);  // no such node: nothing moves
  if (numa_max_node() == 0) {
    EXPECT_EQ(stats[0].sz_applied, 0u);  // already there
  }
  for (const FolioInfo& f : machine->folios(Space::process(workload->pid()), workload->hot()))
    ASSERT_EQ(f.node, 0) << std::hex << f.addr;
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

TEST_F(HostContextTest, AnExitedTargetStopsTheContext) {
  ContextParams p;
  p.ops = OpsId::vaddr;
  p.attrs = attrs();
  p.targets.push_back(TargetParams{workload->pid(), false, {}});
  start(p);
  run_aggregations(1);
  EXPECT_FALSE(ctx->targets_all_invalid());
  workload->stop();
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(ctx->next_sleep_us()));
    ctx->iterate();
  }
  EXPECT_TRUE(ctx->targets_all_invalid());
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

// One machine serves every kdamond: two contexts on two processes, each on
// its own thread, as two kdamonds would run.
TEST_F(HostContextTest, TwoKdamondThreadsShareTheMachine) {
  auto other = test::start_workload({.hot_mib = 8, .cold_mib = 8, .file_mib = 8, .pause_us = 500});
  auto run = [&](int pid, AddrRange hot, double& hot_mean) {
    ContextParams p;
    p.ops = OpsId::vaddr;
    p.attrs = attrs();
    p.targets.push_back(TargetParams{pid, false, {}});
    p.schemes = {scheme(Action::stat, 0, ~0ULL, 0)};
    Context c(p, *machine, clock, 11, make_operations);
    ASSERT_EQ(c.start(), 0);
    Schemes s(c.params().schemes, view_of(c));
    c.set_schemes_hook(&s);
    for (int aggr = 0; aggr < 8;) {
      std::this_thread::sleep_for(std::chrono::microseconds(c.next_sleep_us()));
      c.iterate();
      aggr += c.aggregation_boundary();
    }
    double weighted = 0;
    for (const Region& r : c.targets()[0].regions) {
      const uint64_t lo = std::max(r.ar.start, hot.start), hi = std::min(r.ar.end, hot.end);
      if (lo < hi) weighted += static_cast<double>(hi - lo) * r.last_nr_accesses;
    }
    hot_mean = weighted / static_cast<double>(hot.size());
  };
  double a = 0, b = 0;
  std::thread t1([&] { run(workload->pid(), workload->hot(), a); });
  std::thread t2([&] { run(other->pid(), other->hot(), b); });
  t1.join();
  t2.join();
  EXPECT_GT(a, 0);
  EXPECT_GT(b, 0);
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

}  // namespace
}  // namespace damon::host
