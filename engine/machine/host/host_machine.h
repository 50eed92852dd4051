// The host machine: Machine (engine/machine/machine.h) served by the
// running kernel, for monitoring real processes and applying DAMOS actions
// to them from user space, on any kernel.
//
//   HostMachine m;                       // probes the kernel, picks the sampler
//   m.sampler();                         // {"clear_refs", "per mapping only: ..."}
//   Context ctx(params, m, steady_clock, seed, make_operations);
//
// Where each fact comes from:
//   mappings            /proc/PID/maps (read on every vmas() call)
//   task exists         a pidfd per process (kill(0) before Linux 5.3)
//   physical memory     /proc/iomem "System RAM" (root only)
//   accesses            the best sampler the kernel offers (access_sampler.h)
//   folios              pagemap, move_pages status, kpageflags/kpagecgroup
//   actions             process_madvise, move_pages (process_actions.h)
//   nodes               libnuma node sizes, sysfs node cpulists
//   PSI, LRU sizes      /proc/pressure/memory, /proc/meminfo
//   memcg LRU per node  memory.numa_stat of cgroup v2 (or the v1 memory
//                       hierarchy)
//
// paddr needs the page_idle sampler: without it supports(paddr) is false
// and unsupported_reason(paddr) names what the kernel lacks. The physical
// actions the kernel's paddr has (pageout, lru_prio/deprio, migrate of a
// physical frame) have no user-space interface: they apply nothing.
//
// Thread-safe: one HostMachine serves every kdamond of the daemon.
#pragma once

#include <optional>
#include <string>

#include "engine/machine/host/access_sampler.h"
#include "engine/machine/host/folio_reader.h"
#include "engine/machine/host/host_log.h"
#include "engine/machine/host/kernel_features.h"
#include "engine/machine/host/memcg_tree.h"
#include "engine/machine/host/pid_table.h"
#include "engine/machine/host/process_actions.h"
#include "engine/machine/host/system_memory.h"
#include "engine/machine/machine.h"

namespace damon::host {

struct HostOptions {
  // Use this sampler instead of the best available one (tests, benchmarks).
  std::optional<SamplerKind> sampler;
};

class HostMachine final : public Machine {
 public:
  // Probes the kernel. Throws std::runtime_error when it offers no access
  // sampler (or not the one asked for), naming what is missing. Failures
  // on real processes are reported to `log`, which must outlive the machine.
  explicit HostMachine(Log& log, HostOptions options = {});
  HostMachine(const KernelFeatures& features, Log& log, HostOptions options = {});

  const KernelFeatures& features() const { return features_; }

  // --- Machine -------------------------------------------------------------
  std::string kind() const override { return "host"; }
  SamplerInfo sampler() const override { return sampler_->info(); }
  bool supports(OpsId ops) const override;
  std::string unsupported_reason(OpsId ops) const override;
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
  bool test_and_clear_young(Space space, uint64_t addr) override;
  uint64_t madvise(int pid, AddrRange range, Action action) override;
  bool pageout(Space space, uint64_t folio_addr) override;
  bool set_lru(Space space, uint64_t folio_addr, bool active) override;
  bool migrate(Space space, uint64_t folio_addr, int node) override;

 private:
  // Logs a sampling failure of `space` once (nothing for exited processes).
  void report_sampling(Space space, const char* what, int err) const;

  KernelFeatures features_;
  mutable HostLog log_;
  std::unique_ptr<AccessSampler> sampler_;
  mutable PidTable pids_;
  MemcgTree memcgs_;
  PhysNodeMap phys_nodes_;
  FolioReader folio_reader_;
  ProcessActions actions_;
};

}  // namespace damon::host
