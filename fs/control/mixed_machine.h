// The default mount's machine: the simulated machine for its own processes
// and for physical memory, real processes through the host machine.
//
// A pid is the simulation's when one of its processes has it (the set is
// fixed when the simulation starts its processes); any other pid is a real
// process and goes to the host machine, so `damo record "sleep 5"` or a
// kernel selftest that starts its own workload is monitored as it runs.
// System-wide facts (nodes, PSI, LRU sizes, memcgs) and paddr are the
// simulation's.
//
// Thread-safe as its two machines are.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/machine/machine.h"

namespace damonfs::fs {

class MixedMachine final : public damon::Machine {
 public:
  // `sim_pids`: the pids of `sim`'s processes. `host` may be null when the
  // kernel offers no way to sample real processes; `host_missing` then
  // says why, and real pids do not resolve (`on` fails EINVAL, as for a
  // pid that names no task).
  MixedMachine(std::unique_ptr<damon::Machine> sim, std::vector<int> sim_pids,
               std::unique_ptr<damon::Machine> host, std::string host_missing);

  const damon::Machine& sim() const { return *sim_; }
  const damon::Machine* host() const { return host_.get(); }
  // Why real processes cannot be monitored; empty when they can.
  const std::string& host_missing() const { return host_missing_; }

  // --- Machine -------------------------------------------------------------
  std::string kind() const override { return sim_->kind(); }
  damon::SamplerInfo sampler() const override { return sim_->sampler(); }
  bool supports(damon::OpsId ops) const override { return sim_->supports(ops); }
  std::string unsupported_reason(damon::OpsId ops) const override {
    return sim_->unsupported_reason(ops);
  }
  bool task_exists(int pid) const override;
  std::vector<damon::Vma> vmas(int pid) const override;
  std::vector<damon::AddrRange> phys_ranges() const override { return sim_->phys_ranges(); }
  void mkold(damon::Space space, std::span<const uint64_t> addrs) override;
  void young(damon::Space space, std::span<const uint64_t> addrs, damon::YoungBits& out) override;
  std::vector<damon::NodeMemory> nodes() const override { return sim_->nodes(); }
  uint64_t psi_some_total_us() const override { return sim_->psi_some_total_us(); }
  uint64_t active_lru_bytes() const override { return sim_->active_lru_bytes(); }
  uint64_t inactive_lru_bytes() const override { return sim_->inactive_lru_bytes(); }
  uint64_t hugepage_bytes() const override { return sim_->hugepage_bytes(); }
  std::optional<uint64_t> memcg_node_lru_bytes(const std::string& path, int nid) const override {
    return sim_->memcg_node_lru_bytes(path, nid);
  }
  std::vector<damon::FolioInfo> folios(damon::Space space, damon::AddrRange range) const override;
  bool test_and_clear_young(damon::Space space, uint64_t addr) override;
  uint64_t madvise(int pid, damon::AddrRange range, damon::Action action) override;
  bool pageout(damon::Space space, uint64_t folio_addr) override;
  bool set_lru(damon::Space space, uint64_t folio_addr, bool active) override;
  bool migrate(damon::Space space, uint64_t folio_addr, int node) override;

 private:
  // The machine serving `pid`, null for a real pid without a host machine.
  damon::Machine* owner(int pid) const;
  damon::Machine* owner(damon::Space space) const {
    return space.physical() ? sim_.get() : owner(space.pid);
  }

  std::unique_ptr<damon::Machine> sim_;
  std::vector<int> sim_pids_;  // sorted
  std::unique_ptr<damon::Machine> host_;
  std::string host_missing_;
};

}  // namespace damonfs::fs
