#include "engine/ops/virtual_actions.h"

#include <algorithm>
#include <vector>

#include "engine/ops/action_support.h"
#include "engine/ops/interleave.h"
#include "engine/ops/ops_filters.h"

namespace damon {

namespace {

uint64_t page_align_up(uint64_t x) { return (x + kPageSize - 1) / kPageSize * kPageSize; }

// madvise() over the page-aligned region; all of it counts as applied when
// the call succeeds.
ApplyOutcome apply_madvise(Machine& machine, const Target& target, AddrRange region,
                           Action action) {
  const uint64_t start = page_align_up(region.start);
  const uint64_t len = page_align_up(region.size());
  return {.applied = machine.madvise(target.pid, {start, start + len}, action)};
}

const Vma* vma_of(const std::vector<Vma>& vmas, uint64_t addr) {
  auto it = std::upper_bound(vmas.begin(), vmas.end(), addr,
                             [](uint64_t a, const Vma& v) { return a < v.end; });
  if (it == vmas.end() || addr < it->start) return nullptr;
  return &*it;
}

// migrate_{hot,cold}: to target_nid, or interleaved over the dests.
ApplyOutcome apply_migrate(Machine& m, const Target& target, AddrRange region,
                           const OpsAction& act) {
  const Space space = Space::process(target.pid);
  const std::vector<Vma> vmas = act.dests.empty() ? std::vector<Vma>{} : m.vmas(target.pid);
  std::vector<bool> node_ok;
  for (const NodeMemory& n : m.nodes()) {
    if (n.id < 0 || !n.total_bytes) continue;
    if (node_ok.size() <= static_cast<size_t>(n.id)) node_ok.resize(n.id + 1);
    node_ok[n.id] = true;
  }
  auto valid_node = [&](int nid) {
    return nid >= 0 && static_cast<size_t>(nid) < node_ok.size() && node_ok[nid];
  };

  uint64_t applied = 0;
  for (const FolioInfo& f : m.folios(space, region)) {
    if (!f.present) continue;
    if (!folio_passes(act, nullptr, m, space, f)) continue;
    int dest = act.target_nid;
    if (!act.dests.empty()) {
      const Vma* vma = vma_of(vmas, f.addr);
      if (!vma) continue;
      const std::optional<size_t> pick =
          interleave_pick(act.dests, interleave_index(*vma, f.addr, f.size));
      if (!pick) continue;
      dest = static_cast<int>(act.dests[*pick].node_id);
    }
    if (f.node == dest || !valid_node(dest)) continue;
    if (m.migrate(space, f.addr, dest)) applied += f.size;
  }
  // The kernel's vaddr migration does not report filter-passed bytes.
  return {.applied = applied};
}

ApplyOutcome apply_stat(Machine& m, const Target& target, AddrRange region, const OpsAction& act,
                        std::optional<uint64_t>& last_folio) {
  if (act.ops_filters.empty()) return {};
  const Space space = Space::process(target.pid);
  ApplyOutcome out;
  for (const FolioInfo& f : m.folios(space, region)) {
    if (!f.present || last_folio == f.addr) continue;
    if (folio_passes(act, nullptr, m, space, f)) out.filter_passed += f.size;
    last_folio = f.addr;
  }
  return out;
}

}  // namespace

ApplyOutcome apply_virtual_action(Machine& machine, const Target& target, AddrRange region,
                                  const OpsAction& act, std::optional<uint64_t>& last_folio) {
  switch (virtual_action_effect(act.action)) {
    case ActionEffect::madvise:
      return apply_madvise(machine, target, region, act.action);
    case ActionEffect::migrate:
      return apply_migrate(machine, target, region, act);
    case ActionEffect::stat:
      return apply_stat(machine, target, region, act, last_folio);
    default:
      break;
  }
  return {};
}

}  // namespace damon
