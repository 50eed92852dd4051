// The state of a simulated machine and everything that changes it.
//
// Internal to SimMachine, which adds the locking and the clock. Memory is
// tracked by extents, never by page: each process maps its regions' virtual
// pages with runs of identical pages (an Extent: on one node in consecutive
// frames, or paged out as part of a FaultSet), and a reverse map does the
// same from physical frames back to the owner. Nothing here grows with the
// memory size, only with how fragmented actions have made it.
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
#include "engine/machine/sim/clear_times.h"
#include "engine/machine/sim/fault_set.h"
#include "engine/machine/sim/frame_allocator.h"
#include "engine/machine/sim/hash.h"
#include "engine/machine/sim/numa_balancing.h"
#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/sim_machine.h"
#include "engine/machine/sim/stub_process.h"

namespace damon::sim {

inline constexpr uint64_t kHugePages = 512;  // pages in a 2 MiB folio

struct SimNode {
  int id = 0;
  uint64_t first_pfn = 0, pages = 0;
  uint64_t latency_ns = 0;
  double bandwidth = 0;  // bytes per second, 0: unlimited
  bool has_cpu = true;
  std::vector<size_t> fallback;  // node indexes to allocate from, this one first
};

struct SimRegion {
  std::string name;
  uint64_t first = 0, pages = 0;  // virtual pages
  bool anon = true;
  std::string file;  // mapping name as /proc/PID/maps shows it
  uint64_t pgoff = 0;  // Vma::pgoff
  size_t node = 0;   // preferred node index
  bool thp = false;
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

// A run of pages of one region with the same state.
struct Extent {
  uint64_t pages = 0;
  uint32_t region = 0;
  // Paged out: a page is back (resident) once its rank in `fs` is below
  // fs->faulted(), in the frame the set gave it. Always inactive, small.
  bool lazy = false;
  bool active = false;
  bool huge = false;  // 2 MiB folios: start and pfn 512-page aligned
  size_t node = 0;    // not lazy: node index of the frames
  uint64_t pfn = 0;   // not lazy: frame of the first page
  std::shared_ptr<FaultSet> fs;
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
  std::map<uint64_t, Extent> extents;  // by first virtual page; covers every region page
  ClearTimes cleared;  // test_and_clear_young clears, by a folio's first virtual page
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
  Simulation(const Scenario& scenario, uint64_t start_us, uint64_t seed, bool stubs);

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
  const std::vector<SimNode>& nodes() const { return nodes_; }
  std::optional<size_t> node_index(int id) const;
  uint64_t free_pages(size_t node) const { return frames_.free_frames(node); }
  uint64_t psi_us() const { return static_cast<uint64_t>(psi_us_); }
  uint64_t now_us() const { return now_; }
  // Per node index: traffic / bandwidth over the last step (all 0 without
  // the bandwidth model).
  const std::vector<double>& utilization() const { return utilization_; }
  std::vector<Vma> vmas(const SimProcess& p) const;

  // --- pages and actions (simulation_pages.cpp) ---
  std::optional<PageRef> resolve(Space space, uint64_t addr);
  bool migrate(const PageRef& ref, size_t node);
  bool pageout(const PageRef& ref);
  bool set_lru(const PageRef& ref, bool active);
  uint64_t madvise(SimProcess& p, AddrRange range, Action action);

  // --- queries (simulation_queries.cpp) ---
  struct PageState {
    std::map<uint64_t, Extent>::iterator extent;
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
  void young_pages(Space space, std::span<const uint64_t> addrs, std::vector<bool>& out,
                   std::vector<SampledPage>& pages);
  // The same for many addresses of one space, as DAMON samples them
  // (simulation_sampling.cpp): `out[i]` is young(addrs[i]), false where no
  // page is mapped.
  void mkold(Space space, std::span<const uint64_t> addrs);
  void young(Space space, std::span<const uint64_t> addrs, std::vector<bool>& out);
  bool touched(const PageRef& ref, uint64_t t0, uint64_t t1) const;
  std::vector<FolioInfo> folios(Space space, AddrRange range);
  RegionTruth region_truth(const SimProcess& p, const SimRegion& r) const;

 private:
  struct Owner {
    uint64_t count = 0;
    uint32_t proc = 0;
    bool lazy = false;
    uint64_t first = 0;  // virtual page (or, lazy, rank) of the run's first frame
    std::shared_ptr<FaultSet> fs;
  };

  // Construction (simulation.cpp).
  void add_process(const ProcessSpec& spec, bool stub);
  void place(SimProcess& p, uint32_t r);
  void integrate(SimProcess& p, uint64_t from, uint64_t to);
  // The bandwidth model's step from now_ to `now`, for every process at
  // once (simulation_bandwidth.cpp); replaces integrate() when it is on.
  void integrate_loaded(uint64_t now);
  // A migration copied `bytes` from node `from` to node `to`.
  void add_copy(size_t from, size_t to, uint64_t bytes);
  // NUMA balancing's scans up to `now` (numa_balancing.cpp).
  void numa_balance(uint64_t now);
  void numa_scan(SimProcess& p, uint64_t t);
  // Reclaim-based demotion from `node` until `target` frames are free.
  void demote_coldest(size_t node, uint64_t target);
  uint64_t watermark_gap(size_t node) const;
  void fault_in(FaultSet& fs, std::shared_ptr<FaultSet> owner, uint64_t target);
  void bring_in_faults(uint64_t now);

  // Extents and the reverse map (simulation_pages.cpp).
  // The extent holding vpage, if any (none: a gap between mappings).
  std::optional<std::map<uint64_t, Extent>::iterator> extent_of(SimProcess& p, uint64_t vpage);
  std::map<uint64_t, Extent>::iterator split(SimProcess& p, uint64_t vpage);
  std::map<uint64_t, Extent>::iterator carve(SimProcess& p, uint64_t first, uint64_t pages);
  void merge_around(SimProcess& p, std::map<uint64_t, Extent>::iterator it);
  void insert_resident(SimProcess& p, uint64_t vpage, uint64_t pages, uint32_t region, size_t node,
                       uint64_t pfn, bool active, bool huge);
  void account(SimProcess& p, const Extent& e, int sign);
  void rmap_add(uint64_t pfn, Owner owner);
  void rmap_erase(uint64_t pfn, uint64_t count);
  std::map<uint64_t, Owner>::iterator rmap_split(uint64_t pfn);
  std::map<uint64_t, Extent>::iterator make_resident_extent(SimProcess& p, uint64_t vpage);
  void release_frames(SimProcess& p, std::map<uint64_t, Extent>::iterator it);
  void to_lazy(SimProcess& p, std::map<uint64_t, Extent>::iterator it);
  bool collapse(SimProcess& p, uint64_t first);
  void split_huge(SimProcess& p, uint64_t a, uint64_t b);
  void set_min_watermarks();
  std::vector<FrameRun> allocate(size_t node, uint64_t pages, uint64_t align);

  // What sampling needs of a page: the folio holding it, and whether that
  // is in memory.
  struct SampledFolio {
    SimProcess* proc = nullptr;
    uint32_t region = 0;
    uint64_t first = 0, pages = 1;  // virtual pages
    bool resident = false;
  };
  struct SampleSet;
  static SampledFolio sampled_folio(const Lookup& page);
  // `set` is where the folio's entry in the sampling table lives.
  void mkold(const SampledFolio& folio, SampleSet& set);
  bool young(const SampledFolio& folio, SampleSet& set, bool clear);
  // Calls f(i, folio, set) for each addrs[i] that holds a page
  // (simulation_sampling.cpp).
  template <class F>
  void for_each_folio(Space space, std::span<const uint64_t> addrs, F f);

  // Queries (simulation_queries.cpp).
  PageState state(const PageRef& ref, std::map<uint64_t, Extent>::iterator extent);
  uint64_t access_key(const SimProcess& p, uint32_t region, uint64_t vpage, uint64_t pages) const {
    // p.key is already a hash; the draws mix this again with each cell.
    return p.key ^ (((uint64_t{region} << 40) | (vpage - p.regions[region].first)) * 0x9e3779b97f4a7c15ULL) ^
           (pages * 0xc2b2ae3d27d4eb4fULL);
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
  std::vector<SimNode> nodes_;
  FrameAllocator frames_;
  std::vector<uint64_t> hint_;  // per node: where the last allocation ended
  std::vector<uint64_t> min_free_;  // per node: frames kept free (the min watermark)
  std::vector<SimProcess> procs_;
  // Declared after procs_: it stops before the stubs are ended.
  std::unique_ptr<StubReaper> reaper_;
  std::map<uint64_t, Owner> rmap_;  // first frame -> owner of frames [first, first + count)
  std::vector<std::shared_ptr<FaultSet>> faulting_;  // sets with pages still out
  uint64_t faults_until_ = 0;  // faults are brought in up to this time
  double psi_us_ = 0;
  std::optional<BandwidthModel> bandwidth_;  // set when some node has a bandwidth
  std::vector<double> copy_backlog_;          // per node: migration bytes still to copy
  std::vector<double> utilization_;

  // When each recently sampled folio was last made old by DAMON's sampling
  // (mkold). A small set-associative table, evicting the oldest entry of a
  // full set: DAMON keeps one sampled page per region in flight at random
  // addresses, so the entries that matter are the newest few thousand, and
  // a table that fits in the CPU cache keeps sampling cheap. A lost entry
  // only makes a later check look back to the page's previous clear. The
  // clears of test_and_clear_young (DAMOS walks, every folio of a region)
  // are all kept, per page, in SimProcess::cleared.
  struct SampleSlot {
    uint64_t key = 0;  // 0: empty
    uint64_t since = 0;
  };
  static constexpr size_t kSampleWays = 4;
  static constexpr size_t kSampleSets = 4096;
  // A set fills one cache line, so a check costs at most one miss, and a
  // batch can prefetch the sets of the pages it is about to check.
  struct alignas(64) SampleSet {
    std::array<SampleSlot, kSampleWays> ways;
  };
  // Identifies a folio in the sampling table: process and page, never 0
  // (the empty slot's key). Virtual page numbers fit in 36 bits.
  static uint64_t folio_id(const SimProcess& p, uint64_t folio_first) {
    return (uint64_t{p.index} + 1) << 36 | folio_first;
  }
  SampleSet& sample_set_of(uint64_t key) { return sampled_[mix64(key) % kSampleSets]; }
  static SampleSlot* sample_find(SampleSet& set, uint64_t key);
  static void sample_set(SampleSet& set, uint64_t key, uint64_t since);
  std::vector<SampleSet> sampled_;  // kSampleSets
};

}  // namespace damon::sim
