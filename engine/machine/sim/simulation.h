// The state of a simulated machine and everything that changes it.
//
// Internal to SimMachine, which adds the locking and the clock. Memory is
// tracked by extents, never by page: each process maps its regions' virtual
// pages with runs of identical pages (ExtentMap), and PhysicalMemory's
// reverse map does the same from physical frames back to the owner. Nothing
// here grows with the memory size, only with how fragmented actions have
// made it. What sampling made old lives in a SampleTable, the newest batch
// of each process in its SampledBatch.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/machine/machine.h"
#include "engine/machine/sim/access_schedule.h"
#include "engine/machine/sim/bandwidth_model.h"
#include "engine/machine/sim/chunk_runner.h"
#include "engine/machine/sim/clear_times.h"
#include "engine/machine/sim/extent_map.h"
#include "engine/machine/sim/fault_set.h"
#include "engine/machine/sim/numa_balancing.h"
#include "engine/machine/sim/physical_memory.h"
#include "engine/machine/sim/sample_table.h"
#include "engine/machine/sim/sampled_batch.h"
#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/sim_machine.h"
#include "engine/machine/sim/stub_process.h"

namespace damon::sim {

struct SimRegion {
  std::string name;
  uint64_t first = 0, pages = 0;  // virtual pages
  bool anon = true;
  std::string file;  // mapping name as /proc/PID/maps shows it
  uint64_t pgoff = 0;  // Vma::pgoff
  size_t node = 0;   // preferred node index
  bool thp = false;
  bool together = false;  // RegionSpec::together
  bool active = false;  // initial LRU list
  // Resident pages per node index, and of those how many are active / huge.
  std::vector<uint64_t> resident;
  uint64_t active_pages = 0, huge_pages = 0;
  // The last two window ends sampling asked about (the mkold time and now),
  // and which of them was used least recently.
  std::array<AccessSchedule::Progress, 2> marks{};
  size_t next_mark = 0;
  // The last window sampling checked pages over: a batch checks all its
  // pages from the same mkold time to the same now. `window_marked` while
  // both its ends are still marks (progress() would give them unchanged).
  AccessSchedule::Window window;
  bool window_marked = false;

  uint64_t end() const { return first + pages; }
  uint64_t resident_pages() const;
};

struct SimProcess {
  explicit SimProcess(AccessSchedule s) : schedule(std::move(s)) {}

  int pid = 0;
  uint32_t index = 0;
  std::string name, cgroup;
  bool alive = true;
  uint64_t start_us = 0;
  uint64_t key = 0;  // seeds the access draws of its pages
  std::vector<SimRegion> regions;  // in address order
  ExtentMap extents;  // covers every region page
  ClearTimes cleared;  // test_and_clear_young clears, by a folio's first virtual page
  // The last batch of mkold() on its pages, until it goes into the table.
  SampledBatch sampled;
  AccessSchedule schedule;
  std::unique_ptr<StubProcess> stub;
  size_t home = 0;  // node index it runs on
  uint32_t threads = 1;
  NumaScan numa;  // NUMA balancing's scan state (numa_balancing.h)
  // Thread time lost to NUMA balancing (hinting faults, promotions in its
  // context): all of it, and what the bandwidth model has yet to take out
  // of the process's progress.
  double stalled_ns = 0, stall_due_ns = 0;
  // Performance model, integrated up to the simulation's time: accesses
  // made, their summed latency, and the bytes they moved per node index.
  double accesses = 0, latency_ns = 0;
  std::vector<double> node_bytes;
  uint64_t faults = 0;
};

// A resolved address: a page of a region of a live process.
struct PageRef {
  SimProcess* proc = nullptr;
  uint64_t vpage = 0;
  uint32_t region = 0;
};

class Simulation {
 public:
  // `sampling_helper`: when young() may have a second thread work out part
  // of a batch (ChunkRunner). Its thread is made here: a Simulation must
  // not be made on a kdamond's task, whose thread group it would join.
  Simulation(const Scenario& scenario, uint64_t start_us, uint64_t seed, bool stubs,
             ChunkRunner::Wake sampling_helper);

  // Brings the state to time `now`: performance accounting, faults, ends of
  // processes. Every public SimMachine call does this first.
  void advance(uint64_t now);

  // --- processes (simulation.cpp) ---
  SimProcess* live(int pid);
  const SimProcess* find(int pid) const;
  bool poll_alive(int pid);  // notices stubs killed from outside
  void end_process(SimProcess& p);
  std::vector<SimProcess>& processes() { return procs_; }
  const std::vector<SimProcess>& processes() const { return procs_; }
  const std::vector<SimNode>& nodes() const { return mem_.nodes(); }
  std::optional<size_t> node_index(int id) const { return mem_.node_index(id); }
  uint64_t free_pages(size_t node) const { return mem_.free_pages(node); }
  uint64_t psi_us() const { return static_cast<uint64_t>(psi_us_); }
  uint64_t now_us() const { return now_; }
  // Per node index: traffic / bandwidth over the last step (all 0 without
  // the bandwidth model).
  const std::vector<double>& utilization() const { return utilization_; }
  std::vector<Vma> vmas(const SimProcess& p) const;

  // --- pages and actions (simulation_pages.cpp) ---
  std::optional<PageRef> resolve(Space space, uint64_t addr);
  bool migrate(const PageRef& ref, size_t node);
  // An allocation just took frames of `node`: under its low watermark, its
  // kswapd wakes (numa_balancing.cpp).
  void wake_kswapd(size_t node);
  bool pageout(const PageRef& ref);
  bool set_lru(const PageRef& ref, bool active);
  uint64_t madvise(SimProcess& p, AddrRange range, Action action);

  // --- queries (simulation_queries.cpp) ---
  struct PageState {
    ExtentMap::iterator extent;
    bool resident = false;
    size_t node = 0;
    uint64_t pfn = 0;
    uint64_t folio_first = 0, folio_pages = 1;  // the folio holding the page
  };
  PageState state(const PageRef& ref);
  // resolve() and state() with one extent lookup: the sampling hot path.
  struct Lookup {
    PageRef ref;
    PageState state;
  };
  std::optional<Lookup> lookup(Space space, uint64_t addr);
  void mkold(const Lookup& page);
  bool young(const Lookup& page, bool clear);
  // young() and, in the same pass, anon/file and memcg of each page.
  void young_pages(Space space, std::span<const uint64_t> addrs, YoungBits& out,
                   std::vector<SampledPage>& pages);
  // The same for many addresses of one space, as DAMON samples them
  // (simulation_sampling.cpp): `out[i]` is young(addrs[i]), false where no
  // page is mapped.
  void mkold(Space space, std::span<const uint64_t> addrs);
  void young(Space space, std::span<const uint64_t> addrs, YoungBits& out);
  bool touched(const PageRef& ref, uint64_t t0, uint64_t t1) const;
  std::vector<FolioInfo> folios(Space space, AddrRange range);
  RegionTruth region_truth(const SimProcess& p, const SimRegion& r) const;

 private:
  // Construction (simulation.cpp).
  void add_process(const ProcessSpec& spec, bool stub);
  void place(SimProcess& p, uint32_t r);
  bool place_shared_folio(SimProcess& p, uint32_t r, uint64_t chunk);
  void integrate(SimProcess& p, uint64_t from, uint64_t to);
  // The bandwidth model's step from now_ to `now`, for every process at
  // once (simulation_bandwidth.cpp); replaces integrate() when it is on.
  void integrate_loaded(uint64_t now);
  // A migration copied `bytes` from node `from` to node `to`.
  void add_copy(size_t from, size_t to, uint64_t bytes);
  // NUMA balancing's scans up to `now` (numa_balancing.cpp).
  void numa_balance(uint64_t now);
  void numa_scan(SimProcess& p, uint64_t t);
  void numa_faults(SimProcess& p, uint64_t t);
  void numa_protect(SimProcess& p, uint64_t t);
  uint64_t numa_scan_period_us(const SimProcess& p) const;
  double numa_scale() const;  // the scenario's numa_scan_size / the kernel's
  // Reclaim-based demotion from `node` until `target` frames are free.
  void demote_coldest(size_t node, uint64_t target);
  void fault_in(FaultSet& fs, std::shared_ptr<FaultSet> owner, uint64_t target);
  void bring_in_faults(uint64_t now);

  // Extents and frames (simulation_pages.cpp).
  void insert_resident(SimProcess& p, uint64_t vpage, uint64_t pages, uint32_t region, size_t node,
                       uint64_t pfn, bool active, bool huge);
  void account(SimProcess& p, const Extent& e, int sign);
  ExtentMap::iterator make_resident_extent(SimProcess& p, uint64_t vpage);
  void release_frames(SimProcess& p, ExtentMap::iterator it);
  void to_lazy(SimProcess& p, ExtentMap::iterator it);
  bool collapse(SimProcess& p, uint64_t first);
  void split_huge(SimProcess& p, uint64_t a, uint64_t b);
  // Calls f(extent) for each extent of virtual pages [first, first + pages)
  // (whole folios), carved out: a huge folio over the edge between two
  // regions of one mapping has a part in each. f may merge the extent
  // with its neighbours.
  template <class F>
  void for_each_part(SimProcess& p, uint64_t first, uint64_t pages, F f);

  // What sampling needs of a page: the folio holding it, and whether that
  // is in memory.
  struct SampledFolio {
    SimProcess* proc = nullptr;
    uint32_t region = 0;
    uint64_t first = 0, pages = 1;  // virtual pages
    bool resident = false;
  };
  static SampledFolio sampled_folio(const Lookup& page);
  static uint64_t sample_key(const SampledFolio& folio) { return SampleTable::key(folio.proc->index, folio.first); }
  // `set` is where the folio's entry in the sampling table lives.
  void mkold(const SampledFolio& folio, SampleTable::Set& set);
  bool young(const SampledFolio& folio, SampleTable::Set& set, bool clear);
  // Whether a resident folio of region `region` was touched since `since`:
  // a huge folio over the edge to a neighbouring region is when any of its
  // parts was, each drawn from its own region's accesses.
  bool folio_touched(SimProcess& p, uint32_t region, uint64_t first, uint64_t pages, uint64_t since);
  // Puts a process's pending sampled batch, or every process's, in the
  // table: before any look-up there but a batch's check of its own pages.
  void flush_sampled(SimProcess& p);
  void flush_sampled();
  // When the table last saw `key` made old, 0 if it holds no entry.
  uint64_t table_since(uint64_t key) const;
  // young()'s first pass over a process's batch: the windows from the
  // batch's mkold time of the regions its addresses span, and out[k], the
  // answer on addrs[k], the batch's address from + k, where the batch alone
  // can tell (simulation_sampling.cpp).
  struct BatchWindows {
    uint32_t first = 0;  // region index of windows[0]
    std::vector<const AccessSchedule::Window*> windows;
  };
  BatchWindows batch_windows(SimProcess& p, std::span<const uint64_t> addrs);
  void decide_held(const SimProcess& p, std::span<const uint64_t> addrs, std::span<uint8_t> out, size_t from,
                   const BatchWindows& windows);
  static constexpr uint8_t kUndecided = 2;  // young()'s answers left to the second pass
  // Calls f(from, count) for consecutive chunks of [0, n), from this thread
  // and maybe the sampling helper: f may only read the simulation, and
  // write what belongs to its own indices.
  template <class F>
  void in_chunks(size_t n, F f);
  static constexpr size_t kChunkPages = 128;
  // Calls f(i, folio, set) for each addrs[i] that holds a page
  // (simulation_sampling.cpp).
  template <class F>
  void for_each_folio(Space space, std::span<const uint64_t> addrs, F f);

  // Queries (simulation_queries.cpp).
  PageState state(const PageRef& ref, ExtentMap::iterator extent);
  // The key a folio's random accesses are drawn from, by its offset in its
  // region (in pages); what the folios of one size in one region share is
  // worked out once. p.key is already a hash; the draws mix this again
  // with each cell.
  struct AccessKey {
    uint64_t base, region;
    uint64_t operator()(uint64_t offset) const { return base ^ ((region | offset) * 0x9e3779b97f4a7c15ULL); }
  };
  static AccessKey access_key(const SimProcess& p, uint32_t region, uint64_t pages) {
    return {p.key ^ (pages * 0xc2b2ae3d27d4eb4fULL), uint64_t{region} << 40};
  }
  uint64_t access_key(const SimProcess& p, uint32_t region, uint64_t vpage, uint64_t pages) const {
    return access_key(p, region, pages)(vpage - p.regions[region].first);
  }
  // Was [vpage, vpage + pages) of a region touched in window w? A region
  // accessed together draws one stream for all its pages.
  bool touched(const SimProcess& p, uint32_t region, const AccessSchedule::Window& w, uint64_t vpage,
               uint64_t pages) const {
    const SimRegion& r = p.regions[region];
    if (r.together) return p.schedule.together_touched(w, p.key);
    return p.schedule.touched(w, access_key(p, region, vpage, pages), (vpage - r.first) * kPageSize,
                              pages * kPageSize);
  }
  const AccessSchedule::Progress& progress(SimProcess& p, uint32_t region, uint64_t t);
  // The window [since, now_) of a region (simulation_sampling.cpp).
  const AccessSchedule::Window& window(SimProcess& p, uint32_t region, uint64_t since);
  const AccessSchedule::Window& new_window(SimProcess& p, uint32_t region, uint64_t since);
  void add_folio(std::vector<FolioInfo>& out, const SimProcess& p, const PageState& s, uint64_t addr,
                 const SimRegion& r) const;

  MachineSpec machine_;
  uint64_t seed_;
  uint64_t now_;
  PhysicalMemory mem_;
  std::vector<SimProcess> procs_;
  // Declared after procs_: it stops before the stubs are ended.
  std::unique_ptr<StubReaper> reaper_;
  std::vector<std::shared_ptr<FaultSet>> faulting_;  // sets with pages still out
  uint64_t faults_until_ = 0;  // faults are brought in up to this time
  double psi_us_ = 0;
  std::optional<BandwidthModel> bandwidth_;  // set when some node has a bandwidth
  std::vector<double> copy_backlog_;          // per node: migration bytes still to copy
  std::vector<double> utilization_;
  std::vector<NumaPromotion> numa_promo_;  // per node: NUMA balancing's promotion throttles

  SampleTable samples_;
  ChunkRunner sampling_;
};

}  // namespace damon::sim
