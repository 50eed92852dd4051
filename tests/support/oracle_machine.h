// An in-memory Machine for the monitoring core's tests and benchmark:
// processes with VMAs, and an access oracle that says whether the page
// holding an address was accessed between its last mkold() and now. Each
// query costs O(1) whatever the memory size, so engine cost can be measured
// over 1 TiB as cheaply as over 1 GiB.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/machine/machine.h"

namespace damon::test {

class OracleMachine final : public Machine {
 public:
  // Was the page holding `addr` in `space` accessed during (since_us, now_us]?
  using Oracle = std::function<bool(Space space, uint64_t addr, uint64_t since_us, uint64_t now_us)>;

  explicit OracleMachine(const Clock& clock) : clock_(clock) {}

  void add_process(int pid, std::vector<Vma> vmas) { processes_[pid] = std::move(vmas); }
  void set_vmas(int pid, std::vector<Vma> vmas) { processes_.at(pid) = std::move(vmas); }
  void kill(int pid) { processes_.erase(pid); }
  void set_oracle(Oracle oracle) { oracle_ = std::move(oracle); }
  void set_supported(std::set<OpsId> ops) { supported_ = std::move(ops); }

  // What the engine asked, for assertions.
  struct Calls {
    uint64_t mkold = 0, young = 0, vmas = 0;
    std::vector<uint64_t> last_mkold_addrs;
    int last_mkold_pid = 0;
  };
  const Calls& calls() const { return calls_; }

  std::string kind() const override { return "fake"; }
  SamplerInfo sampler() const override { return {"fake", "exact oracle"}; }
  bool supports(OpsId ops) const override { return supported_.count(ops) != 0; }

  bool task_exists(int pid) const override { return processes_.count(pid) != 0; }
  std::vector<Vma> vmas(int pid) const override {
    ++calls_.vmas;
    auto it = processes_.find(pid);
    return it == processes_.end() ? std::vector<Vma>{} : it->second;
  }
  std::vector<AddrRange> phys_ranges() const override { return {{0, uint64_t{1} << 40}}; }

  void mkold(Space space, std::span<const uint64_t> addrs) override {
    ++calls_.mkold;
    calls_.last_mkold_addrs.assign(addrs.begin(), addrs.end());
    calls_.last_mkold_pid = space.pid;
    mkold_at_[space.pid] = clock_.now_us();
  }
  void young(Space space, std::span<const uint64_t> addrs, YoungBits& out) override {
    ++calls_.young;
    out.resize(addrs.size());
    const bool present = space.physical() || task_exists(space.pid);
    const uint64_t since = mkold_at_[space.pid];
    const uint64_t now = clock_.now_us();
    for (size_t i = 0; i < addrs.size(); ++i)
      out[i] = present && oracle_ && oracle_(space, addrs[i], since, now);
  }

  std::vector<NodeMemory> nodes() const override { return {}; }
  uint64_t psi_some_total_us() const override { return 0; }
  uint64_t active_lru_bytes() const override { return 0; }
  uint64_t inactive_lru_bytes() const override { return 0; }
  uint64_t hugepage_bytes() const override { return 0; }
  std::optional<uint64_t> memcg_node_lru_bytes(const std::string&, int) const override {
    return std::nullopt;
  }
  std::vector<FolioInfo> folios(Space, AddrRange) const override { return {}; }
  bool test_and_clear_young(Space, uint64_t) override { return false; }
  uint64_t madvise(int, AddrRange, Action) override { return 0; }
  bool pageout(Space, uint64_t) override { return false; }
  bool set_lru(Space, uint64_t, bool) override { return false; }
  bool migrate(Space, uint64_t, int) override { return false; }

 private:
  const Clock& clock_;
  std::map<int, std::vector<Vma>> processes_;
  std::map<int, uint64_t> mkold_at_;
  Oracle oracle_;
  std::set<OpsId> supported_{OpsId::vaddr, OpsId::fvaddr, OpsId::paddr};
  mutable Calls calls_;
};

}  // namespace damon::test
