// Building the simulated machine, and the passing of time.
#include "engine/machine/sim/simulation.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "engine/machine/sim/hash.h"

namespace damon::sim {
namespace {

uint64_t pages_of(uint64_t bytes) { return (bytes + kPageSize - 1) / kPageSize; }

// Mappings every simulated process has besides its scenario regions, laid
// out like a classic (non-PIE) x86-64 program so that vaddr's "two biggest
// gaps" split sees heap / mmap area / stack. The scenario regions go down
// from 0x7ef000000000: below where the kernel puts a stub's own libraries
// (mmap_base is at most 1 TiB under the stack), clear of ASan's shadow and
// allocator, and inside TSan's application range [0x7e8000000000, ...) for
// up to 448 GiB of regions, so stubs work in sanitizer builds too.
struct SystemMapping {
  const char* name;  // region name in ground truth
  uint64_t start, bytes;
  bool anon;
  double intensity;  // accesses per page per second, random
};
constexpr SystemMapping kText{"[text]", 0x400000, 512 * 1024, false, 20};
constexpr SystemMapping kData{"[data]", 0x600000, 128 * 1024, false, 5};
constexpr SystemMapping kHeap{"[heap]", 0x1000000, 2 * kMiB, true, 10};
constexpr SystemMapping kStack{"[stack]", 0x7ffffffde000, 132 * 1024, true, 50};
constexpr uint64_t kMmapTop = 0x7ef000000000;
constexpr uint64_t kMappingGap = 2 * kMiB;

// The virtual pages [first, end) of the mapping region r is part of, for
// huge pages: Linux merges adjacent anonymous mappings of the same kind
// (masim's regions, made by one mmap() each) into one VMA, and THP backs a
// VMA with huge pages wherever an aligned 2 MiB fits in it, across the
// edges between the mmap() calls. Regions are in address order.
std::pair<uint64_t, uint64_t> thp_mapping(const std::vector<SimRegion>& regions, size_t r) {
  const auto joined = [&](size_t i) {  // regions i and i + 1 are one VMA
    const SimRegion &a = regions[i], &b = regions[i + 1];
    return a.thp && b.thp && a.anon && b.anon && a.end() == b.first;
  };
  size_t lo = r, hi = r;
  while (lo > 0 && joined(lo - 1)) --lo;
  while (hi + 1 < regions.size() && joined(hi)) ++hi;
  return {regions[lo].first, regions[hi].end()};
}

// Checked before PhysicalMemory lays out the scenario's nodes.
const Scenario& validated(const Scenario& scenario) {
  validate(scenario);
  return scenario;
}

}  // namespace

uint64_t SimRegion::resident_pages() const { return std::accumulate(resident.begin(), resident.end(), uint64_t{0}); }

Simulation::Simulation(const Scenario& scenario, uint64_t start_us, uint64_t seed, bool stubs,
                       ChunkRunner::Wake sampling_helper)
    : machine_(validated(scenario).machine), seed_(seed), now_(start_us), mem_(machine_), sampling_(sampling_helper) {
  faults_until_ = start_us;
  utilization_.assign(nodes().size(), 0);
  if (machine_.bandwidth_limited()) {
    std::vector<BandwidthModel::Node> model;
    for (const SimNode& n : nodes()) model.push_back({static_cast<double>(n.latency_ns), n.bandwidth});
    bandwidth_.emplace(std::move(model));
    copy_backlog_.assign(nodes().size(), 0);
  }

  uint64_t needed = 0, available = 0;
  for (const ProcessSpec& p : scenario.processes) {
    needed += pages_of(kText.bytes) + pages_of(kData.bytes) + pages_of(kHeap.bytes) + pages_of(kStack.bytes);
    for (const RegionSpec& r : p.regions) needed += pages_of(r.size);
  }
  for (size_t i = 0; i < nodes().size(); ++i) available += mem_.usable(i);
  if (needed > available)
    throw ScenarioError("the processes need " + std::to_string(needed * kPageSize / kMiB) + " MiB but the nodes have " +
                        std::to_string(available * kPageSize / kMiB) + " MiB free");

  procs_.reserve(scenario.processes.size());  // PageRef keeps pointers
  for (const ProcessSpec& p : scenario.processes) add_process(p, stubs);
  if (stubs) {
    std::vector<const StubProcess*> all;
    for (const SimProcess& p : procs_) all.push_back(p.stub.get());
    reaper_ = std::make_unique<StubReaper>(all);
  }
}

void Simulation::add_process(const ProcessSpec& spec, bool stub) {
  size_t home = 0;
  while (!nodes()[home].has_cpu) ++home;
  if (spec.node) home = *node_index(*spec.node);

  // Regions in address order, each with where its accesses come from: a
  // system mapping's constant intensity or a scenario region's phases.
  std::vector<SimRegion> regions;
  std::vector<std::optional<size_t>> source;  // scenario region index
  std::vector<double> constant;
  auto system = [&](const SystemMapping& m, std::string file, uint64_t pgoff) {
    SimRegion r;
    r.name = m.name;
    r.first = m.start / kPageSize;
    r.pages = pages_of(m.bytes);
    r.anon = m.anon;
    r.file = std::move(file);
    r.pgoff = m.anon ? r.first : pgoff;
    r.node = home;
    regions.push_back(std::move(r));
    source.push_back(std::nullopt);
    constant.push_back(spec.program_accesses ? m.intensity : 0);
  };
  const std::string program = "/damonfs-sim/" + spec.name;
  system(kText, program, 0);
  system(kData, program, pages_of(kText.bytes));
  system(kHeap, "[heap]", 0);
  std::vector<SimRegion> mmapped;  // highest address first
  uint64_t top = kMmapTop;
  for (size_t i = 0; i < spec.regions.size(); ++i) {
    const RegionSpec& rs = spec.regions[i];
    SimRegion r;
    r.name = rs.name;
    r.pages = pages_of(rs.size);
    const uint64_t bytes = r.pages * kPageSize;
    if (bytes + kMappingGap > top - kHeap.start - kHeap.bytes)
      throw ScenarioError("process '" + spec.name + "': regions do not fit in the address space");
    const uint64_t start = rs.adjoin && i > 0 ? top + kMappingGap - bytes  // right below the previous one
                                              : (top - bytes) / (2 * kMiB) * (2 * kMiB);  // THP-friendly alignment
    r.first = start / kPageSize;
    r.anon = rs.file.empty();
    r.file = rs.file;
    r.pgoff = r.anon ? r.first : 0;
    r.node = rs.node ? *node_index(*rs.node) : home;
    r.thp = rs.thp;
    r.together = rs.together;
    r.active = rs.active;
    mmapped.push_back(std::move(r));
    top = start - kMappingGap;
  }
  for (size_t i = mmapped.size(); i-- > 0;) {
    regions.push_back(std::move(mmapped[i]));
    source.push_back(i);
    constant.push_back(0);
  }
  system(kStack, "[stack]", 0);

  std::vector<PhaseSpec> phases;
  for (const PhaseSpec& ph : spec.phases) {
    PhaseSpec ordered{ph.name, ph.duration_us, {}};
    for (size_t r = 0; r < regions.size(); ++r) {
      ordered.access.push_back(source[r] ? ph.access[*source[r]] : Access{constant[r], Pattern::random, kPageSize});
    }
    phases.push_back(std::move(ordered));
  }
  std::vector<uint64_t> pages;
  for (const SimRegion& r : regions) pages.push_back(r.pages);

  SimProcess& p = procs_.emplace_back(AccessSchedule(phases, std::move(pages), spec.loop, now_));
  p.index = static_cast<uint32_t>(procs_.size() - 1);
  p.name = spec.name;
  p.cgroup = spec.cgroup;
  p.start_us = now_;
  p.key = hash2(seed_, p.index);
  p.home = home;
  p.threads = spec.threads;
  p.numa.next_us = now_ + kNumaScanDelayUs;
  p.node_bytes.assign(nodes().size(), 0);
  p.regions = std::move(regions);
  for (SimRegion& r : p.regions) r.resident.assign(nodes().size(), 0);
  // Memory is placed in the order a program would first touch it: its own
  // mappings, then the scenario's regions as declared (so when DRAM runs
  // out, the last declared regions are the ones that spill).
  std::vector<uint32_t> order(p.regions.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (source[a].has_value() != source[b].has_value()) return !source[a].has_value();
    return source[a].value_or(0) < source[b].value_or(0);
  });
  for (uint32_t r : order) place(p, r);

  if (stub) {
    std::vector<Reservation> reserve;
    for (size_t r = 0; r < p.regions.size(); ++r) {
      reserve.push_back({p.regions[r].first * kPageSize, p.regions[r].end() * kPageSize, source[r].has_value()});
    }
    p.stub = std::make_unique<StubProcess>(p.name, reserve);
    p.pid = p.stub->pid();
  } else {
    p.pid = kSyntheticPidBase + static_cast<int>(p.index);
  }
}

void Simulation::place(SimProcess& p, uint32_t r) {
  const SimRegion& reg = p.regions[r];
  uint64_t v = reg.first;
  // Pages [v, v + count) from the region's nodes in fallback order, in
  // folios of `folio` pages; fewer when the nodes run out of such folios.
  const auto allocate = [&](uint64_t count, uint64_t folio) {
    const bool huge = folio == kHugePages;
    for (size_t node : nodes()[reg.node].fallback) {
      if (!count) break;
      for (const FrameRun& run : mem_.allocate(node, count, folio)) {
        insert_resident(p, v, run.count, r, node, run.pfn, reg.active, huge);
        v += run.count;
        count -= run.count;
      }
    }
  };
  if (!reg.thp) {
    allocate(reg.pages, 1);
    return;
  }
  // Huge folios over every 2 MiB-aligned stretch of the mapping the region
  // is part of, as the kernel maps them: small pages only where 2 MiB does
  // not fit at the mapping's ends.
  const auto [lo, hi] = thp_mapping(p.regions, r);
  while (v < reg.end()) {
    const uint64_t before = v;
    const uint64_t chunk = v / kHugePages * kHugePages, chunk_end = chunk + kHugePages;
    if (chunk < lo || chunk_end > hi) {
      allocate(std::min(chunk_end, reg.end()) - v, 1);
    } else if (chunk >= reg.first && chunk_end <= reg.end()) {
      const uint64_t stop = v + (reg.end() - v) / kHugePages * kHugePages;
      allocate(stop - v, kHugePages);
      allocate(stop - v, 1);  // what no huge folio was left for
    } else if (p.extents.find(v)) {
      v = std::min(chunk_end, reg.end());  // placed with the neighbour sharing the folio
    } else if (place_shared_folio(p, r, chunk)) {
      v = std::min(chunk_end, reg.end());
    } else {
      allocate(std::min(chunk_end, reg.end()) - v, 1);
    }
    if (v == before) break;  // out of frames (the scenario was checked for that)
  }
}

// A huge folio over the edge between regions of one mapping, placed whole
// (with every region's part of it) by whichever of them is placed first;
// false when the nodes have no 2 MiB block left or a part is mapped already.
bool Simulation::place_shared_folio(SimProcess& p, uint32_t r, uint64_t chunk) {
  const SimRegion& reg = p.regions[r];
  const auto each_part = [&](auto f) {
    for (uint32_t o = 0; o < p.regions.size(); ++o) {
      const uint64_t a = std::max(chunk, p.regions[o].first), b = std::min(chunk + kHugePages, p.regions[o].end());
      if (a < b) f(o, a, b);
    }
  };
  bool mapped = false;
  each_part([&](uint32_t, uint64_t a, uint64_t) { mapped = mapped || p.extents.find(a).has_value(); });
  if (mapped) return false;
  for (size_t node : nodes()[reg.node].fallback) {
    const auto runs = mem_.allocate(node, kHugePages, kHugePages);
    if (runs.empty()) continue;
    each_part([&](uint32_t o, uint64_t a, uint64_t b) {
      insert_resident(p, a, b - a, o, node, runs[0].pfn + (a - chunk), reg.active, true);
    });
    return true;
  }
  return false;
}

SimProcess* Simulation::live(int pid) {
  for (SimProcess& p : procs_) {
    if (p.pid == pid && p.alive) return &p;
  }
  return nullptr;
}

const SimProcess* Simulation::find(int pid) const {
  const SimProcess* found = nullptr;
  for (const SimProcess& p : procs_) {
    if (p.pid == pid && (!found || p.alive)) found = &p;
  }
  return found;
}

bool Simulation::poll_alive(int pid) {
  SimProcess* p = live(pid);
  if (!p) return false;
  if (p->stub && p->stub->exited()) {
    end_process(*p);
    return false;
  }
  return true;
}

void Simulation::end_process(SimProcess& p) {
  if (!p.alive) return;
  p.alive = false;
  mem_.release_process(p.index);
  p.extents.clear();
  p.cleared.forget();
  for (SimRegion& r : p.regions) {
    std::fill(r.resident.begin(), r.resident.end(), 0);
    r.active_pages = r.huge_pages = 0;
  }
  if (p.stub) p.stub->terminate();
}

std::vector<Vma> Simulation::vmas(const SimProcess& p) const {
  std::vector<Vma> out;
  if (!p.alive) return out;
  for (const SimRegion& r : p.regions) out.push_back({r.first * kPageSize, r.end() * kPageSize, r.pgoff, r.anon, r.file});
  return out;
}

void Simulation::integrate(SimProcess& p, uint64_t from, uint64_t to) {
  for (size_t r = 0; r < p.regions.size(); ++r) {
    const double n = p.schedule.accesses(r, to) - p.schedule.accesses(r, from);
    if (n <= 0) continue;
    const SimRegion& reg = p.regions[r];
    // Accesses spread evenly over the region's pages; those on paged-out
    // pages are served, once faulted back, from the preferred node (the
    // faults themselves are charged when they happen).
    double latency = 0;
    uint64_t resident = 0;
    const double per_page = n * kAccessBytes / static_cast<double>(reg.pages);
    for (size_t i = 0; i < nodes().size(); ++i) {
      latency += static_cast<double>(reg.resident[i]) * static_cast<double>(nodes()[i].latency_ns);
      resident += reg.resident[i];
      p.node_bytes[i] += per_page * static_cast<double>(reg.resident[i]);
    }
    latency += static_cast<double>(reg.pages - resident) * static_cast<double>(nodes()[reg.node].latency_ns);
    p.node_bytes[reg.node] += per_page * static_cast<double>(reg.pages - resident);
    p.accesses += n;
    p.latency_ns += n * latency / static_cast<double>(reg.pages);
  }
}

void Simulation::fault_in(FaultSet& fs, std::shared_ptr<FaultSet> owner, uint64_t target) {
  SimProcess& p = procs_[fs.proc()];
  SimRegion& reg = p.regions[fs.region()];
  uint64_t need = target - fs.faulted();
  for (size_t node : nodes()[fs.preferred_node()].fallback) {
    if (!need) break;
    for (const FrameRun& run : mem_.allocate(node, need, 1)) {
      mem_.rmap_add(run.pfn, FrameOwner{run.count, p.index, true, fs.faulted(), owner});
      fs.add_faulted(static_cast<int>(node), run.pfn, run.count);
      reg.resident[node] += run.count;
      need -= run.count;
    }
  }
  wake_kswapd(static_cast<size_t>(fs.preferred_node()));
}

// Pages paged out come back as they are touched. Brought in at most every
// kFaultStepUs of virtual time: the cost of a step grows with the number of
// paged-out sets, and finer steps would not change what DAMON can see.
void Simulation::bring_in_faults(uint64_t now) {
  constexpr uint64_t kFaultStepUs = 1000;
  if (now < faults_until_ + kFaultStepUs) return;
  double stall_ns = 0;
  std::erase_if(faulting_, [this](const std::shared_ptr<FaultSet>& fs) {
    // Orphaned (its pages all left it), ended with its process, or all back.
    return fs.use_count() == 1 || !procs_[fs->proc()].alive || fs->faulted() == fs->count();
  });
  for (const std::shared_ptr<FaultSet>& owner : faulting_) {
    FaultSet& fs = *owner;
    SimProcess& p = procs_[fs.proc()];
    const double prob = AccessSchedule::touch_probability(fs.out(), progress(p, fs.region(), now));
    const uint64_t target = static_cast<uint64_t>(std::llround(static_cast<double>(fs.count()) * prob));
    if (target <= fs.faulted()) continue;
    const uint64_t before = fs.faulted();
    fault_in(fs, owner, target);
    const uint64_t faults = fs.faulted() - before;
    p.faults += faults;
    p.latency_ns += static_cast<double>(faults * machine_.fault_latency_ns);
    stall_ns += static_cast<double>(faults * machine_.fault_latency_ns);
  }
  // "some" stall time: at least one task waited; never more than wall time.
  psi_us_ += std::min(stall_ns / 1000.0, static_cast<double>(now - faults_until_));
  faults_until_ = now;
}

void Simulation::advance(uint64_t now) {
  if (now <= now_) return;
  if (machine_.numa_balancing) numa_balance(now);
  if (bandwidth_) integrate_loaded(now);
  for (SimProcess& p : procs_) {
    if (!p.alive) continue;
    const auto end = p.schedule.end_us();
    if (!bandwidth_) integrate(p, now_, end ? std::min(*end, now) : now);
    if (end && *end <= now) end_process(p);
  }
  bring_in_faults(now);
  now_ = now;
}

}  // namespace damon::sim
