#include "engine/machine/sim/sim_machine.h"

#include <algorithm>

#include "engine/machine/sim/simulation.h"

namespace damon::sim {
namespace {

// A memcg path as a goal or filter may hold it ("/a/b\n"): without the
// trailing newline and slashes; "" is the root.
std::string normalize_cgroup(std::string path) {
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ' || path.back() == '/')) path.pop_back();
  return path;
}

bool in_cgroup(const std::string& cgroup, const std::string& ancestor) {
  return ancestor.empty() || cgroup == ancestor ||
         (cgroup.size() > ancestor.size() && cgroup.compare(0, ancestor.size(), ancestor) == 0 &&
          cgroup[ancestor.size()] == '/');
}

// Adds one process's accounts to `s` (mean values are made by finish()).
void add_score(PerfScore& s, const SimProcess& p, uint64_t now_us, double& latency_ns) {
  s.accesses += p.accesses;
  s.faults += p.faults;
  s.numa_hint_faults += p.numa.hint_faults;
  s.numa_promoted_bytes += p.numa.promoted_pages * kPageSize;
  s.stalled_ns += p.stalled_ns;
  latency_ns += p.latency_ns;
  const auto end = p.schedule.end_us();
  const uint64_t until = end ? std::min(*end, now_us) : now_us;
  s.seconds = std::max(s.seconds, static_cast<double>(until - std::min(until, p.start_us)) * 1e-6);
  s.node_bytes.resize(p.node_bytes.size());
  for (size_t i = 0; i < p.node_bytes.size(); ++i) s.node_bytes[i] += p.node_bytes[i];
}

PerfScore finish(PerfScore s, double latency_ns) {
  if (s.accesses > 0) {
    s.mean_latency_ns = latency_ns / s.accesses;
    s.accesses_per_sec = 1e9 / s.mean_latency_ns;
  }
  if (s.seconds > 0) s.throughput = s.accesses / s.seconds;
  return s;
}

}  // namespace

SimMachine::SimMachine(const Scenario& scenario, const Clock& clock, SimOptions options)
    : scenario_(scenario), clock_(clock), start_us_(clock.now_us()) {
  sim_ = std::make_unique<Simulation>(scenario_, start_us_, options.seed.value_or(scenario_.seed), options.stubs,
                                      options.sampling_helper);
}

SimMachine::~SimMachine() = default;

std::unique_lock<std::mutex> SimMachine::sync() const {
  std::unique_lock<std::mutex> lock(mu_);
  sim_->advance(clock_.now_us());
  return lock;
}

SamplerInfo SimMachine::sampler() const {
  return {"sim", "exact: accessed bits computed from the scenario's access model, in virtual time"};
}

bool SimMachine::task_exists(int pid) const {
  const auto lock = sync();
  return sim_->poll_alive(pid);
}

std::vector<Vma> SimMachine::vmas(int pid) const {
  const auto lock = sync();
  if (!sim_->poll_alive(pid)) return {};
  return sim_->vmas(*sim_->find(pid));
}

std::vector<AddrRange> SimMachine::phys_ranges() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AddrRange> out;
  for (const SimNode& n : sim_->nodes()) {
    const AddrRange r{n.first_pfn * kPageSize, (n.first_pfn + n.pages) * kPageSize};
    if (!out.empty() && out.back().end == r.start) {
      out.back().end = r.end;
    } else {
      out.push_back(r);
    }
  }
  return out;
}

void SimMachine::mkold(Space space, std::span<const uint64_t> addrs) {
  const auto lock = sync();
  sim_->mkold(space, addrs);
}

void SimMachine::young(Space space, std::span<const uint64_t> addrs, YoungBits& out) {
  const auto lock = sync();
  sim_->young(space, addrs, out);
}

std::vector<NodeMemory> SimMachine::nodes() const {
  const auto lock = sync();
  std::vector<NodeMemory> out;
  for (size_t i = 0; i < sim_->nodes().size(); ++i) {
    const SimNode& n = sim_->nodes()[i];
    out.push_back({n.id, n.pages * kPageSize, sim_->free_pages(i) * kPageSize, n.has_cpu});
  }
  return out;
}

uint64_t SimMachine::psi_some_total_us() const {
  const auto lock = sync();
  return sim_->psi_us();
}

uint64_t SimMachine::region_page_bytes(uint64_t (*pages_of)(const SimRegion&)) const {
  const auto lock = sync();
  uint64_t pages = 0;
  for (const SimProcess& p : sim_->processes()) {
    for (const SimRegion& r : p.regions) pages += pages_of(r);
  }
  return pages * kPageSize;
}

uint64_t SimMachine::active_lru_bytes() const {
  return region_page_bytes([](const SimRegion& r) { return r.active_pages; });
}

uint64_t SimMachine::inactive_lru_bytes() const {
  return region_page_bytes([](const SimRegion& r) { return r.resident_pages() - r.active_pages; });
}

uint64_t SimMachine::hugepage_bytes() const {
  return region_page_bytes([](const SimRegion& r) { return r.huge_pages; });
}

std::optional<uint64_t> SimMachine::memcg_node_lru_bytes(const std::string& path, int nid) const {
  const auto lock = sync();
  const std::string cg = normalize_cgroup(path);
  bool exists = cg.empty();
  for (const SimProcess& p : sim_->processes()) exists = exists || in_cgroup(p.cgroup, cg);
  if (!exists) return std::nullopt;
  const auto node = sim_->node_index(nid);
  if (!node) return 0;
  uint64_t pages = 0;
  for (const SimProcess& p : sim_->processes()) {
    if (!in_cgroup(p.cgroup, cg)) continue;
    for (const SimRegion& r : p.regions) pages += r.resident[*node];
  }
  return pages * kPageSize;
}

std::vector<FolioInfo> SimMachine::folios(Space space, AddrRange range) const {
  const auto lock = sync();
  return sim_->folios(space, range);
}

void SimMachine::young_pages(Space space, std::span<const uint64_t> addrs, YoungBits& out,
                             std::vector<SampledPage>& pages) {
  const auto lock = sync();
  sim_->young_pages(space, addrs, out, pages);
}

bool SimMachine::test_and_clear_young(Space space, uint64_t addr) {
  const auto lock = sync();
  const auto page = sim_->lookup(space, addr);
  return page && sim_->young(*page, true);
}

uint64_t SimMachine::madvise(int pid, AddrRange range, Action action) {
  const auto lock = sync();
  SimProcess* p = sim_->live(pid);
  return p ? sim_->madvise(*p, range, action) : 0;
}

bool SimMachine::pageout(Space space, uint64_t folio_addr) {
  const auto lock = sync();
  const auto ref = sim_->resolve(space, folio_addr);
  return ref && sim_->pageout(*ref);
}

bool SimMachine::set_lru(Space space, uint64_t folio_addr, bool active) {
  const auto lock = sync();
  const auto ref = sim_->resolve(space, folio_addr);
  return ref && sim_->set_lru(*ref, active);
}

bool SimMachine::migrate(Space space, uint64_t folio_addr, int node) {
  const auto lock = sync();
  const auto index = sim_->node_index(node);
  const auto ref = sim_->resolve(space, folio_addr);
  if (!index || !ref || !sim_->migrate(*ref, *index)) return false;
  sim_->wake_kswapd(*index);
  return true;
}

std::vector<SimProcessInfo> SimMachine::processes() const {
  const auto lock = sync();
  std::vector<SimProcessInfo> out;
  for (const SimProcess& p : sim_->processes()) {
    const bool alive = sim_->poll_alive(p.pid);
    out.push_back({p.pid, p.name, p.cgroup, alive});
  }
  return out;
}

std::optional<int> SimMachine::pid_of(const std::string& name) const {
  const auto lock = sync();
  for (const SimProcess& p : sim_->processes()) {
    if (p.name == name && sim_->poll_alive(p.pid)) return p.pid;
  }
  return std::nullopt;
}

bool SimMachine::kill(int pid) {
  const auto lock = sync();
  SimProcess* p = sim_->live(pid);
  if (!p) return false;
  sim_->end_process(*p);
  return true;
}

std::optional<AddrRange> SimMachine::node_range(int nid) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto i = sim_->node_index(nid);
  if (!i) return std::nullopt;
  const SimNode& n = sim_->nodes()[*i];
  return AddrRange{n.first_pfn * kPageSize, (n.first_pfn + n.pages) * kPageSize};
}

bool SimMachine::touched(Space space, uint64_t addr, uint64_t t0_us, uint64_t t1_us) const {
  const auto lock = sync();
  const auto ref = sim_->resolve(space, addr);
  return ref && sim_->touched(*ref, t0_us, t1_us);
}

uint64_t SimMachine::touched_bytes(Space space, AddrRange range, uint64_t t0_us, uint64_t t1_us) const {
  const auto lock = sync();
  uint64_t pages = 0;
  for (uint64_t a = range.start / kPageSize * kPageSize; a < range.end; a += kPageSize) {
    if (const auto ref = sim_->resolve(space, a)) pages += sim_->touched(*ref, t0_us, t1_us);
  }
  return pages * kPageSize;
}

std::vector<RegionTruth> SimMachine::region_truth(int pid) const {
  const auto lock = sync();
  std::vector<RegionTruth> out;
  const SimProcess* p = sim_->find(pid);
  if (!p) return out;
  for (const SimRegion& r : p->regions) out.push_back(sim_->region_truth(*p, r));
  return out;
}

std::optional<PageTruth> SimMachine::page(Space space, uint64_t addr) const {
  const auto lock = sync();
  const auto page = sim_->lookup(space, addr);
  if (!page) return std::nullopt;
  const PageRef& ref = page->ref;
  const Simulation::PageState& s = page->state;
  const SimRegion& r = ref.proc->regions[ref.region];
  PageTruth t;
  t.pid = ref.proc->pid;
  t.vaddr = ref.vpage * kPageSize;
  t.region = r.name;
  t.present = s.resident;
  t.node = s.resident ? sim_->nodes()[s.node].id : -1;
  t.phys_addr = s.resident ? s.pfn * kPageSize : 0;
  t.active = s.resident && !s.extent->second.lazy && s.extent->second.active;
  t.huge = s.folio_pages > 1;
  t.anon = r.anon;
  return t;
}

PerfScore SimMachine::perf(int pid) const {
  const auto lock = sync();
  const SimProcess* p = sim_->find(pid);
  if (!p) return {};
  PerfScore s;
  double latency = 0;
  add_score(s, *p, sim_->now_us(), latency);
  return finish(std::move(s), latency);
}

PerfScore SimMachine::perf_total() const {
  const auto lock = sync();
  PerfScore s;
  double latency = 0;
  for (const SimProcess& p : sim_->processes()) add_score(s, p, sim_->now_us(), latency);
  return finish(std::move(s), latency);
}

std::vector<double> SimMachine::node_utilization() const {
  const auto lock = sync();
  return sim_->utilization();
}

}  // namespace damon::sim
