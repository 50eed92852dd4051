#include "fs/control/mixed_machine.h"

#include <algorithm>
#include <utility>

namespace damonfs::fs {

MixedMachine::MixedMachine(std::unique_ptr<damon::Machine> sim, std::vector<int> sim_pids,
                           std::unique_ptr<damon::Machine> host, std::string host_missing)
    : sim_(std::move(sim)),
      sim_pids_(std::move(sim_pids)),
      host_(std::move(host)),
      host_missing_(std::move(host_missing)) {
  std::sort(sim_pids_.begin(), sim_pids_.end());
}

damon::Machine* MixedMachine::owner(int pid) const {
  if (std::binary_search(sim_pids_.begin(), sim_pids_.end(), pid)) return sim_.get();
  return host_.get();
}

bool MixedMachine::task_exists(int pid) const {
  damon::Machine* m = owner(pid);
  return m && m->task_exists(pid);
}

std::vector<damon::Vma> MixedMachine::vmas(int pid) const {
  damon::Machine* m = owner(pid);
  return m ? m->vmas(pid) : std::vector<damon::Vma>{};
}

void MixedMachine::mkold(damon::Space space, std::span<const uint64_t> addrs) {
  if (damon::Machine* m = owner(space)) m->mkold(space, addrs);
}

void MixedMachine::young(damon::Space space, std::span<const uint64_t> addrs, damon::YoungBits& out) {
  if (damon::Machine* m = owner(space)) return m->young(space, addrs, out);
  out.assign(addrs.size(), false);
}

std::vector<damon::FolioInfo> MixedMachine::folios(damon::Space space, damon::AddrRange range) const {
  damon::Machine* m = owner(space);
  return m ? m->folios(space, range) : std::vector<damon::FolioInfo>{};
}

bool MixedMachine::test_and_clear_young(damon::Space space, uint64_t addr) {
  damon::Machine* m = owner(space);
  return m && m->test_and_clear_young(space, addr);
}

uint64_t MixedMachine::madvise(int pid, damon::AddrRange range, damon::Action action) {
  damon::Machine* m = owner(pid);
  return m ? m->madvise(pid, range, action) : 0;
}

bool MixedMachine::pageout(damon::Space space, uint64_t folio_addr) {
  damon::Machine* m = owner(space);
  return m && m->pageout(space, folio_addr);
}

bool MixedMachine::set_lru(damon::Space space, uint64_t folio_addr, bool active) {
  damon::Machine* m = owner(space);
  return m && m->set_lru(space, folio_addr, active);
}

bool MixedMachine::migrate(damon::Space space, uint64_t folio_addr, int node) {
  damon::Machine* m = owner(space);
  return m && m->migrate(space, folio_addr, node);
}

}  // namespace damonfs::fs
