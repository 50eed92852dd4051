// The simulated machine: Machine (engine/machine/machine.h) served from a
// scenario (scenario.h, damonfs-scenario(5)) in virtual time.
//
//   Scenario s = load_scenario("tiering.yaml");     // or default_scenario()
//   ManualClock clock;
//   SimMachine m(s, clock);                          // pure in-memory, fast
//   SimOptions o; o.stubs = true;
//   SimMachine d(s, clock, o);                       // real stub processes
//
// Accesses are a deterministic function of (seed, page, time window), so
// every query costs the same whatever the memory size, and ground truth is
// exact: touched()/touched_bytes() say what the workload did, region_truth()
// where its memory is, perf() what the placement costs it.
//
// Thread safety: one SimMachine may be shared by several kdamond threads
// and read by others; every public method takes one internal mutex.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/machine/machine.h"
#include "engine/machine/sim/chunk_runner.h"
#include "engine/machine/sim/scenario.h"

namespace damon::sim {

class Simulation;
struct SimRegion;

struct SimOptions {
  // Back each process with a real stub process (pgrep, kill, /proc/PID/maps
  // work; pids are real). Off: pids are synthetic, above any real pid_max.
  bool stubs = false;
  // Overrides the scenario's seed.
  std::optional<uint64_t> seed;
  // When a second thread helps work out a vaddr batch's young bits: by
  // default while sampling runs ahead of the wall clock (chunk_runner.h).
  // The answers are the same whichever it is.
  ChunkRunner::Wake sampling_helper = ChunkRunner::Wake::when_busy;
};

// Synthetic pids start here: one above the kernel's largest possible
// pid_max, so they never name a real process.
inline constexpr int kSyntheticPidBase = (1 << 22) + 1;

struct SimProcessInfo {
  int pid = 0;
  std::string name;
  std::string cgroup;  // "" = root
  bool alive = false;
};

// Where one mapping of a process is and how it is accessed, now.
struct RegionTruth {
  std::string name;  // the scenario's region name, or [text] [data] [heap] [stack]
  AddrRange vaddr;
  bool anon = true;
  std::string phase;  // the process's current phase
  Access access;      // how this region is accessed in it
  std::vector<uint64_t> resident_bytes;  // per node, in nodes() order
  uint64_t nonresident_bytes = 0;        // paged out and not faulted back yet
  uint64_t active_bytes = 0;             // resident on the active LRU list
  uint64_t huge_bytes = 0;               // resident in 2 MiB folios
};

// One page as the machine holds it.
struct PageTruth {
  int pid = 0;
  uint64_t vaddr = 0;      // page address in the process
  std::string region;
  bool present = false;
  int node = -1;           // node id
  uint64_t phys_addr = 0;  // when present
  bool active = false;
  bool huge = false;
  bool anon = true;
};

// What the placement costs a process: each access pays its node's latency
// (loaded by the traffic when nodes have a bandwidth: bandwidth_model.h),
// each fault the fault latency on top.
struct PerfScore {
  double accesses = 0;  // made so far: the process's progress
  uint64_t faults = 0;
  double mean_latency_ns = 0;
  // Accesses per second one thread bound by that latency would make.
  double accesses_per_sec = 0;
  // Simulated seconds it has run (to now, or to its end), and the accesses
  // it made per such second: its work rate. Without node bandwidths every
  // process makes the accesses its schedule asks for; with them, fewer when
  // its accesses are slower (bandwidth_model.h).
  double seconds = 0;
  double throughput = 0;
  std::vector<double> node_bytes;  // bytes its accesses moved, per node in nodes() order
  // NUMA balancing (scenario numa_balancing: tiering): hinting faults taken,
  // bytes promoted in the process's context, thread time both cost it.
  uint64_t numa_hint_faults = 0;
  uint64_t numa_promoted_bytes = 0;
  double stalled_ns = 0;
};

class SimMachine final : public Machine {
 public:
  // Starts every process at clock.now_us(). Throws ScenarioError when the
  // scenario is invalid or does not fit, std::runtime_error when a stub
  // cannot be spawned.
  SimMachine(const Scenario& scenario, const Clock& clock, SimOptions options = {});
  ~SimMachine() override;

  // --- Machine -------------------------------------------------------------
  std::string kind() const override { return "sim"; }
  SamplerInfo sampler() const override;
  bool task_exists(int pid) const override;
  std::vector<Vma> vmas(int pid) const override;
  std::vector<AddrRange> phys_ranges() const override;
  void mkold(Space space, std::span<const uint64_t> addrs) override;
  void young(Space space, std::span<const uint64_t> addrs, YoungBits& out) override;
  std::vector<NodeMemory> nodes() const override;
  uint64_t psi_some_total_us() const override;
  uint64_t active_lru_bytes() const override;
  uint64_t inactive_lru_bytes() const override;
  uint64_t hugepage_bytes() const override;
  std::optional<uint64_t> memcg_node_lru_bytes(const std::string& path, int nid) const override;
  std::vector<FolioInfo> folios(Space space, AddrRange range) const override;
  void young_pages(Space space, std::span<const uint64_t> addrs, YoungBits& out,
                   std::vector<SampledPage>& pages) override;
  bool test_and_clear_young(Space space, uint64_t addr) override;
  uint64_t madvise(int pid, AddrRange range, Action action) override;
  bool pageout(Space space, uint64_t folio_addr) override;
  bool set_lru(Space space, uint64_t folio_addr, bool active) override;
  bool migrate(Space space, uint64_t folio_addr, int node) override;

  // --- the simulation ----------------------------------------------------
  const Scenario& scenario() const { return scenario_; }
  // When the processes started (virtual time, clock microseconds).
  uint64_t start_us() const { return start_us_; }
  std::vector<SimProcessInfo> processes() const;
  // The first live process with this name.
  std::optional<int> pid_of(const std::string& name) const;
  // Ends a simulated process (and its stub). False when not alive.
  bool kill(int pid);
  // Physical range of one node (by id).
  std::optional<AddrRange> node_range(int nid) const;

  // --- ground truth ------------------------------------------------------
  // Did the workload touch the page at `addr` in [t0_us, t1_us)? (clock
  // microseconds; a physical address asks about the page it holds now).
  bool touched(Space space, uint64_t addr, uint64_t t0_us, uint64_t t1_us) const;
  // Bytes of `range` in pages the workload touched in [t0_us, t1_us).
  // O(pages in range): for tests and tools, not for hot paths.
  uint64_t touched_bytes(Space space, AddrRange range, uint64_t t0_us, uint64_t t1_us) const;
  std::vector<RegionTruth> region_truth(int pid) const;
  std::optional<PageTruth> page(Space space, uint64_t addr) const;
  PerfScore perf(int pid) const;
  PerfScore perf_total() const;
  // Per node (nodes() order): traffic / bandwidth over the last step of the
  // bandwidth model; 0 for every node without it.
  std::vector<double> node_utilization() const;

 private:
  // Takes the lock and brings the simulation to the clock's time.
  std::unique_lock<std::mutex> sync() const;
  // Bytes of the pages `pages_of` counts in every region of every process.
  uint64_t region_page_bytes(uint64_t (*pages_of)(const SimRegion&)) const;

  Scenario scenario_;
  const Clock& clock_;
  uint64_t start_us_;
  mutable std::mutex mu_;
  std::unique_ptr<Simulation> sim_;  // guarded by mu_
};

}  // namespace damon::sim
