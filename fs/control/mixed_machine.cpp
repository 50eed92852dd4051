#include "engine/machine/mixed_machine.h"

#include <algorithm>
#include <utility>

namespace damon {

MixedMachine::MixedMachine(std::unique_ptr<Machine> sim, std::vector<int> sim_pids,
                           std::unique_ptr<Machine> host, std::string host_missing)
    : sim_(std::move(sim)),
      sim_pids_(std::move(sim_pids)),
      host_(std::move(host)),
      host_missing_(std::move(host_missing)) {
  std::sort(sim_pids_.begin(), sim_pids_.end());
}

Machine* MixedMachine::owner(int pid) const {
  if (std::binary_search(sim_pids_.begin(), sim_pids_.end(), pid)) return sim_.get();
  return host_.get();
}

bool MixedMachine::task_exists(int pid) const {
  Machine* m = owner(pid);
  return m && m->task_exists(pid);
}

std::vector<Vma> MixedMachine::vmas(int pid) const {
  Machine* m = owner(pid);
  return m ? m->vmas(pid) : std::vector<Vma>{};
}

void MixedMachine::mkold(Space space, std::span<const uint64_t> addrs) {
  if (Machine* m = owner(space)) m->mkold(space, addrs);
}

void MixedMachine::young(Space space, std::span<const uint64_t> addrs, std::vector<bool>& out) {
  if (Machine* m = owner(space)) return m->young(space, addrs, out);
  out.assign(addrs.size(), false);
}

std::vector<FolioInfo> MixedMachine::folios(Space space, AddrRange range) const {
  Machine* m = owner(space);
  return m ? m->folios(space, range) : std::vector<FolioInfo>{};
}

bool MixedMachine::test_and_clear_young(Space space, uint64_t addr) {
  Machine* m = owner(space);
  return m && m->test_and_clear_young(space, addr);
}

uint64_t MixedMachine::madvise(int pid, AddrRange range, Action action) {
  Machine* m = owner(pid);
  return m ? m->madvise(pid, range, action) : 0;
}

bool MixedMachine::pageout(Space space, uint64_t folio_addr) {
  Machine* m = owner(space);
  return m && m->pageout(space, folio_addr);
}

bool MixedMachine::set_lru(Space space, uint64_t folio_addr, bool active) {
  Machine* m = owner(space);
  return m && m->set_lru(space, folio_addr, active);
}

bool MixedMachine::migrate(Space space, uint64_t folio_addr, int node) {
  Machine* m = owner(space);
  return m && m->migrate(space, folio_addr, node);
}

}  // namespace damon
