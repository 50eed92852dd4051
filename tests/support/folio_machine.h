// A small in-memory Machine for DAMOS unit tests: folios placed by hand in
// a physical space and in process spaces, node capacities, LRU and PSI
// counters, and a record of the actions that landed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/machine/machine.h"

namespace damon::test {

struct FakeFolio {
  uint64_t size = kPageSize;
  bool anon = true;
  bool active = false;
  bool mapped = true;
  int node = 0;
  std::string memcg{};
  bool young = false;
  bool present = true;
  // Touched by the workload all the time: young again right after every
  // check.
  bool hot = false;
};

class FolioMachine final : public Machine {
 public:
  // Nodes with capacity and no memory in use.
  void add_node(int id, uint64_t total_bytes);
  // Folios of `proto` (its size) back to back over [start, end).
  void place(Space space, uint64_t start, uint64_t end, const FakeFolio& proto);
  void add_vma(int pid, Vma vma) { vmas_[pid].push_back(std::move(vma)); }

  FakeFolio& folio(Space space, uint64_t addr);
  // Bytes of present folios of `space` on `node`.
  uint64_t bytes_on_node(Space space, int node) const;

  void set_psi_total_us(uint64_t us) { psi_total_us_ = us; }
  void set_lru_bytes(uint64_t active, uint64_t inactive) {
    active_lru_ = active;
    inactive_lru_ = inactive;
  }
  void set_hugepage_bytes(uint64_t bytes) { hugepage_bytes_ = bytes; }
  void set_memcg_node_bytes(const std::string& path, int nid, uint64_t bytes) {
    memcg_bytes_[{path, nid}] = bytes;
  }
  void set_node_free(int id, uint64_t free_bytes);

  struct MadviseCall {
    int pid;
    AddrRange range;
    Action action;
  };
  const std::vector<MadviseCall>& madvise_calls() const { return madvise_calls_; }
  uint64_t migrations() const { return migrations_; }
  uint64_t pageouts() const { return pageouts_; }

  // Machine.
  std::string kind() const override { return "fake"; }
  SamplerInfo sampler() const override { return {"fake", "exact"}; }
  bool task_exists(int pid) const override { return vmas_.count(pid) != 0; }
  std::vector<Vma> vmas(int pid) const override;
  std::vector<AddrRange> phys_ranges() const override { return {}; }
  void mkold(Space space, std::span<const uint64_t> addrs) override;
  void young(Space space, std::span<const uint64_t> addrs, YoungBits& out) override;
  std::vector<NodeMemory> nodes() const override { return nodes_; }
  uint64_t psi_some_total_us() const override { return psi_total_us_; }
  uint64_t active_lru_bytes() const override { return active_lru_; }
  uint64_t inactive_lru_bytes() const override { return inactive_lru_; }
  uint64_t hugepage_bytes() const override { return hugepage_bytes_; }
  std::optional<uint64_t> memcg_node_lru_bytes(const std::string& path, int nid) const override;
  std::vector<FolioInfo> folios(Space space, AddrRange range) const override;
  bool test_and_clear_young(Space space, uint64_t addr) override;
  uint64_t madvise(int pid, AddrRange range, Action action) override;
  bool pageout(Space space, uint64_t folio_addr) override;
  bool set_lru(Space space, uint64_t folio_addr, bool active) override;
  bool migrate(Space space, uint64_t folio_addr, int node) override;

 private:
  using Folios = std::map<uint64_t, FakeFolio>;  // by first address
  Folios& space_folios(Space space) { return spaces_[space.pid]; }
  const Folios* find_space(Space space) const;
  NodeMemory* node(int id);

  std::map<int, Folios> spaces_;
  std::map<int, std::vector<Vma>> vmas_;
  std::vector<NodeMemory> nodes_;
  std::map<std::pair<std::string, int>, uint64_t> memcg_bytes_;
  uint64_t psi_total_us_ = 0;
  uint64_t active_lru_ = 0;
  uint64_t inactive_lru_ = 0;
  uint64_t hugepage_bytes_ = 0;
  std::vector<MadviseCall> madvise_calls_;
  uint64_t migrations_ = 0;
  uint64_t pageouts_ = 0;
};

}  // namespace damon::test
