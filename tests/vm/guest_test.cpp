// Host machine checks that need what our development machines lack: two
// NUMA nodes, soft-dirty bits and the kernel's own DAMON with vaddr. They
// run inside a throwaway VM (vm_test.cpp starts it with
// DAMONFS_VM_GUEST=1) and skip anywhere else, with the reason.
#include <gtest/gtest.h>
#include <numa.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/core/context.h"
#include "engine/damos/schemes.h"
#include "engine/machine/host/host_machine.h"
#include "engine/machine/host/page_tables.h"
#include "engine/ops/registry.h"
#include "tests/support/host_fixture.h"

namespace damon::host {
namespace {

namespace fs = std::filesystem;

const char* const kDamonAdmin = "/sys/kernel/mm/damon/admin";

// Only a VM guest's DAMON sysfs is ours to write: never the development
// machine's.
bool in_vm_guest() {
  const char* v = std::getenv("DAMONFS_VM_GUEST");
  return v && std::string(v) == "1";
}

int memory_nodes() {
  if (numa_available() == -1) return 0;
  int n = 0;
  for (int nid = 0; nid <= numa_max_node(); ++nid) n += numa_node_size64(nid, nullptr) > 0;
  return n;
}

MonitoringAttrs guest_attrs() {
  // Code under TCG runs several times slower than on the host: coarser
  // intervals than the kernel's defaults keep sampling a small share.
  MonitoringAttrs a;
  a.sample_us = 20000;
  a.aggr_us = 400000;
  a.update_us = 2000000;
  a.min_nr_regions = 10;
  a.max_nr_regions = 1000;
  return a;
}

// Bytes of `r` covered by regions with at least `min_nr` accesses.
uint64_t covered(const std::vector<TriedRegion>& regions, AddrRange r, uint32_t min_nr) {
  uint64_t bytes = 0;
  for (const TriedRegion& t : regions) {
    const uint64_t lo = std::max(t.start, r.start), hi = std::min(t.end, r.end);
    if (lo < hi && t.nr_accesses >= min_nr) bytes += hi - lo;
  }
  return bytes;
}

std::vector<TriedRegion> regions_of(const Context& ctx) {
  std::vector<TriedRegion> out;
  for (const Region& r : ctx.targets()[0].regions)
    out.push_back({.start = r.ar.start,
                   .end = r.ar.end,
                   .nr_accesses = r.last_nr_accesses,
                   .age = r.age,
                   .sz_filter_passed = 0,
                   .probe_hits = {}});
  return out;
}

// Runs `ctx` in real time for `n` aggregations.
void run_aggregations(Context& ctx, int n) {
  for (int done = 0; done < n && !ctx.targets_all_invalid();) {
    std::this_thread::sleep_for(std::chrono::microseconds(ctx.next_sleep_us()));
    ctx.iterate();
    done += ctx.aggregation_boundary();
  }
}

TEST(HostGuest, SoftDirtyFindsTheWrittenHotArea) {
  if (!sampler_available(SamplerKind::soft_dirty, probe_kernel_features()))
    GTEST_SKIP() << "no soft-dirty bits (CONFIG_MEM_SOFT_DIRTY) on this kernel";
  damon::test::RecordingLog log;
  HostMachine machine(log, HostOptions{.sampler = SamplerKind::soft_dirty});
  auto w = test::start_workload({.hot_mib = 8, .cold_mib = 24, .file_mib = 0, .pause_us = 2000});
  ContextParams p;
  p.ops = OpsId::vaddr;
  p.attrs = guest_attrs();
  p.targets.push_back(TargetParams{w->pid(), false, {}});
  SteadyClock clock;
  Context ctx(p, machine, clock, 3, make_operations);
  ASSERT_EQ(ctx.start(), 0);
  run_aggregations(ctx, 8);
  const std::vector<TriedRegion> regions = regions_of(ctx);
  const uint32_t half = static_cast<uint32_t>(ctx.samples_per_aggregation() / 2);
  const double hot = static_cast<double>(covered(regions, w->hot(), half)) / w->hot().size();
  const double cold = static_cast<double>(covered(regions, w->cold(), half)) / w->cold().size();
  std::printf("soft_dirty: hot area in hot regions %.0f%%, cold area %.0f%%\n", hot * 100,
              cold * 100);
  EXPECT_GE(hot, 0.8);
  EXPECT_LE(cold, 0.1);
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

TEST(HostGuest, MigrateHotInterleavesOverTwoNodes) {
  if (memory_nodes() < 2) GTEST_SKIP() << "needs two NUMA nodes with memory";
  damon::test::RecordingLog log;
  HostMachine machine(log);
  auto w = test::start_workload({.hot_mib = 8, .cold_mib = 8, .file_mib = 0, .pause_us = 2000});
  ContextParams p;
  p.ops = OpsId::vaddr;
  p.attrs = guest_attrs();
  p.targets.push_back(TargetParams{w->pid(), false, {}});
  SchemeParams s;
  s.action = Action::migrate_hot;
  s.pattern = {.min_sz = 0,
               .max_sz = ~0ULL,
               .min_nr_accesses = 1,
               .max_nr_accesses = ~0ULL,
               .min_age = 0,
               .max_age = ~0ULL};
  s.dests = {{0, 1}, {1, 1}};
  p.schemes = {s};
  SteadyClock clock;
  Context ctx(p, machine, clock, 5, make_operations);
  ASSERT_EQ(ctx.start(), 0);
  Schemes schemes(ctx.params().schemes, view_of(ctx));
  ctx.set_schemes_hook(&schemes);
  run_aggregations(ctx, 6);

  // Where the hot pages are, asked of move_pages(2) directly.
  std::vector<void*> pages;
  for (uint64_t a = w->hot().start; a < w->hot().end; a += kPageSize)
    pages.push_back(reinterpret_cast<void*>(a));
  std::vector<int> status(pages.size(), -1);
  ASSERT_EQ(numa_move_pages(w->pid(), pages.size(), pages.data(), nullptr, status.data(), 0), 0);
  const double on1 =
      static_cast<double>(std::count(status.begin(), status.end(), 1)) / pages.size();
  const double on0 =
      static_cast<double>(std::count(status.begin(), status.end(), 0)) / pages.size();
  std::printf("hot pages: %.1f%% on node 0, %.1f%% on node 1; sz_applied %lu\n", on0 * 100,
              on1 * 100, static_cast<unsigned long>(schemes.stats()[0].sz_applied));
  EXPECT_NEAR(on1, 0.5, 0.1);
  EXPECT_NEAR(on0, 0.5, 0.1);
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

// Physical addresses of the pages holding `addrs` in process `pid` (0 when
// not resident).
std::vector<uint64_t> physical(int pid, const std::vector<uint64_t>& addrs) {
  Pagemap pagemap;
  std::vector<PagemapEntry> entries;
  if (pagemap.open(pid) != 0 || pagemap.entries(addrs, entries) != 0) return {};
  std::vector<uint64_t> out;
  for (const PagemapEntry& e : entries) out.push_back(e.pfn() * kPageSize);
  return out;
}

TEST(HostGuest, PaddrSamplesPhysicalPages) {
  const KernelFeatures f = probe_kernel_features();
  if (!f.page_idle) GTEST_SKIP() << "paddr needs idle page tracking: " << f.page_idle_missing;
  damon::test::RecordingLog log;
  HostMachine machine(log);
  ASSERT_EQ(machine.sampler().name, "page_idle");
  ASSERT_TRUE(machine.supports(OpsId::paddr));
  auto w = test::start_workload({.hot_mib = 8, .cold_mib = 8, .file_mib = 0, .pause_us = 2000});
  const std::vector<uint64_t> hot = physical(w->pid(), test::spread(w->hot(), 16));
  const std::vector<uint64_t> cold = physical(w->pid(), test::spread(w->cold(), 16));
  ASSERT_EQ(hot.size(), 16u);
  ASSERT_EQ(std::count(hot.begin(), hot.end(), 0u) + std::count(cold.begin(), cold.end(), 0u), 0);

  // The sampler on physical addresses.
  std::vector<uint64_t> all = hot;
  all.insert(all.end(), cold.begin(), cold.end());
  machine.mkold(Space::phys(), all);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  YoungBits young;
  machine.young(Space::phys(), all, young);
  const auto hot_young = std::count(young.begin(), young.begin() + 16, true);
  const auto cold_young = std::count(young.begin() + 16, young.end(), true);
  std::printf("physical pages young: hot %ld/16, cold %ld/16\n", static_cast<long>(hot_young),
              static_cast<long>(cold_young));
  EXPECT_GE(hot_young, 12);
  EXPECT_EQ(cold_young, 0);

  // Folios of physical memory: the hot page's, as the process sees it.
  const std::vector<FolioInfo> folio = machine.folios(Space::phys(), {hot[0], hot[0] + 1});
  ASSERT_EQ(folio.size(), 1u);
  EXPECT_TRUE(folio[0].anon);
  EXPECT_TRUE(folio[0].mapped);
  EXPECT_EQ(
      folio[0].node,
      machine.folios(Space::process(w->pid()), {w->hot().start, w->hot().start + 1}).at(0).node);

  // A paddr context over the System RAM range holding the hot pages.
  AddrRange ram;
  for (const AddrRange& r : machine.phys_ranges())
    if (r.start <= hot[0] && hot[0] < r.end) ram = r;
  ASSERT_GT(ram.size(), 0u);
  ContextParams p;
  p.ops = OpsId::paddr;
  p.attrs = guest_attrs();
  p.targets.push_back(TargetParams{0, false, {ram}});
  SteadyClock clock;
  Context ctx(p, machine, clock, 13, make_operations);
  ASSERT_EQ(ctx.start(), 0);
  run_aggregations(ctx, 10);
  auto mean_at = [&](const std::vector<uint64_t>& pas) {
    double sum = 0;
    for (uint64_t pa : pas)
      for (const Region& r : ctx.targets()[0].regions)
        if (r.ar.start <= pa && pa < r.ar.end) sum += r.last_nr_accesses;
    return sum / static_cast<double>(pas.size());
  };
  std::printf(
      "paddr: %lu regions; mean nr_accesses at hot pages %.1f, at cold pages %.1f (max %lu)\n",
      static_cast<unsigned long>(ctx.nr_regions()), mean_at(hot), mean_at(cold),
      static_cast<unsigned long>(ctx.samples_per_aggregation()));
  EXPECT_GT(mean_at(hot), mean_at(cold));
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

// --- the kernel's DAMON, as the reference ---------------------------------

void put(const std::string& path, const std::string& value) {
  std::ofstream f(path);
  f << value << std::flush;
  if (!f) throw std::runtime_error("write " + value + " > " + path + " failed");
}

std::string get(const std::string& path) {
  std::ifstream f(path);
  std::string v;
  f >> v;
  return v;
}

// vaddr monitoring of `pid` by the kernel's DAMON with a stat scheme that
// matches everything, so tried_regions snapshots the regions.
class KernelDamon {
 public:
  KernelDamon(int pid, const MonitoringAttrs& a) {
    const std::string k = std::string(kDamonAdmin) + "/kdamonds";
    put(k + "/nr_kdamonds", "1");
    put(k + "/0/contexts/nr_contexts", "1");
    const std::string c = k + "/0/contexts/0";
    put(c + "/operations", "vaddr");
    put(c + "/monitoring_attrs/intervals/sample_us", std::to_string(a.sample_us));
    put(c + "/monitoring_attrs/intervals/aggr_us", std::to_string(a.aggr_us));
    put(c + "/targets/nr_targets", "1");
    put(c + "/targets/0/pid_target", std::to_string(pid));
    put(c + "/schemes/nr_schemes", "1");
    scheme_ = c + "/schemes/0";
    // New schemes' pattern ranges are [0, 0]: open them up.
    put(scheme_ + "/access_pattern/sz/max", "18446744073709551615");
    put(scheme_ + "/access_pattern/nr_accesses/max", "4294967295");
    put(scheme_ + "/access_pattern/age/max", "4294967295");
    put(scheme_ + "/action", "stat");
    put(k + "/0/state", "on");
    state_ = k + "/0/state";
  }
  ~KernelDamon() {
    try {
      put(state_, "off");
      put(std::string(kDamonAdmin) + "/kdamonds/nr_kdamonds", "0");
    } catch (const std::exception&) {
    }
  }
  std::vector<TriedRegion> regions() const {
    std::vector<TriedRegion> out;
    // 6.12 may answer before the snapshot is in: ask again while empty.
    for (int attempt = 0; attempt < 10 && out.empty(); ++attempt) {
      put(state_, "update_schemes_tried_regions");
      for (uint64_t i = 0;; ++i) {
        const std::string r = scheme_ + "/tried_regions/" + std::to_string(i);
        if (!fs::exists(r)) break;
        out.push_back({.start = std::stoull(get(r + "/start")),
                       .end = std::stoull(get(r + "/end")),
                       .nr_accesses = static_cast<uint32_t>(std::stoul(get(r + "/nr_accesses"))),
                       .age = static_cast<uint32_t>(std::stoul(get(r + "/age"))),
                       .sz_filter_passed = 0,
                       .probe_hits = {}});
      }
      if (out.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return out;
  }

 private:
  std::string scheme_, state_;
};

TEST(HostGuest, VaddrRegionsSideBySideWithTheKernelsDamon) {
  if (!in_vm_guest()) GTEST_SKIP() << "writes the kernel's DAMON sysfs: only inside the test VM";
  if (get(std::string(kDamonAdmin) + "/kdamonds/nr_kdamonds").empty())
    GTEST_SKIP() << "no kernel DAMON sysfs interface";
  damon::test::RecordingLog log;
  HostMachine machine(log);
  auto w = test::start_workload({.hot_mib = 8, .cold_mib = 24, .file_mib = 0, .pause_us = 2000});
  const MonitoringAttrs attrs = guest_attrs();

  // Both watch the same process over the same seconds. The kernel clears
  // accessed bits, our soft-dirty sampler soft-dirty bits: neither
  // disturbs the other.
  KernelDamon kernel(w->pid(), attrs);
  ContextParams p;
  p.ops = OpsId::vaddr;
  p.attrs = attrs;
  p.targets.push_back(TargetParams{w->pid(), false, {}});
  SteadyClock clock;
  Context ctx(p, machine, clock, 9, make_operations);
  ASSERT_EQ(ctx.start(), 0);
  run_aggregations(ctx, 10);
  const std::vector<TriedRegion> ours = regions_of(ctx);
  const std::vector<TriedRegion> theirs = kernel.regions();
  ASSERT_FALSE(theirs.empty());

  const uint32_t half = static_cast<uint32_t>(ctx.samples_per_aggregation() / 2);
  auto recall = [&](const std::vector<TriedRegion>& r, AddrRange area) {
    return static_cast<double>(covered(r, area, half)) / static_cast<double>(area.size());
  };
  auto print = [&](const char* who, const std::vector<TriedRegion>& rs) {
    std::printf("%s (%zu regions; hot %lx-%lx, cold %lx-%lx; near them):\n", who, rs.size(),
                w->hot().start, w->hot().end, w->cold().start, w->cold().end);
    const uint64_t margin = 64 << 20;
    for (const TriedRegion& r : rs) {
      if (r.end + margin > w->hot().start && r.start < w->cold().end + margin)
        std::printf("  %lx-%lx nr_accesses %u age %u\n", r.start, r.end, r.nr_accesses, r.age);
    }
  };
  print("damonfs", ours);
  print("kernel DAMON", theirs);
  std::printf(
      "sampler %s; hot-area recall: damonfs %.0f%%, kernel %.0f%%; cold area flagged hot: "
      "damonfs %.0f%%, kernel %.0f%%\n",
      machine.sampler().name.c_str(), recall(ours, w->hot()) * 100, recall(theirs, w->hot()) * 100,
      recall(ours, w->cold()) * 100, recall(theirs, w->cold()) * 100);
  EXPECT_GE(recall(ours, w->hot()), 0.8);
  EXPECT_LE(recall(ours, w->cold()), 0.1);
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

}  // namespace
}  // namespace damon::host
