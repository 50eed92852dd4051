#include "engine/damos/apply_action.h"

#include <algorithm>
#include <vector>

#include "engine/damos/action_support.h"
#include "engine/damos/goal_metrics.h"
#include "engine/damos/interleave.h"

namespace damon {

namespace {

uint64_t page_align_up(uint64_t x) { return (x + kPageSize - 1) / kPageSize * kPageSize; }

bool folio_passes(const SchemeAction& act, const Filter* extra, Machine& machine, Space space,
                  const FolioInfo& folio) {
  if (act.core_allowed) return true;
  return folio_passes_ops_filters(act.filters, extra, machine, space, folio);
}

// madvise() over the page-aligned region; all of it counts as applied when
// the call succeeds.
ApplyOutcome apply_madvise(const MonitorView& view, const Target& target, AddrRange region,
                           Action action) {
  const uint64_t start = page_align_up(region.start);
  const uint64_t len = page_align_up(region.size());
  return {.applied = view.machine.madvise(target.pid, {start, start + len}, action)};
}

// paddr: every action walks the folios of the physical range.
ApplyOutcome apply_physical(const MonitorView& view, AddrRange region, const SchemeAction& act,
                            std::optional<uint64_t>& last_folio) {
  const ActionEffect effect = action_effect(OpsId::paddr, act.action);
  if (effect == ActionEffect::none) return {};
  if (effect == ActionEffect::stat && !act.filters.has_ops_filters()) return {};

  const Filter young_reject = implicit_young_reject();
  const Filter* extra = effect == ActionEffect::pageout && !act.filters.has_young_ops_filter()
                            ? &young_reject
                            : nullptr;
  const bool migrate_to_node =
      effect == ActionEffect::migrate && memory_node(view.machine, act.target_nid).has_value();

  Machine& m = view.machine;
  const Space space = Space::phys();
  const uint64_t unit = view.addr_unit;
  uint64_t applied_bytes = 0;
  uint64_t passed_bytes = 0;
  for (const FolioInfo& f : m.folios(space, {region.start * unit, region.end * unit})) {
    if (!f.present) {
      last_folio.reset();
      continue;
    }
    if (last_folio == f.addr) continue;
    last_folio = f.addr;
    if (!folio_passes(act, extra, m, space, f)) continue;
    passed_bytes += f.size;
    switch (effect) {
      case ActionEffect::pageout:
        if (m.pageout(space, f.addr)) applied_bytes += f.size;
        break;
      case ActionEffect::lru_activate:
      case ActionEffect::lru_deactivate:
        m.set_lru(space, f.addr, effect == ActionEffect::lru_activate);
        applied_bytes += f.size;
        break;
      case ActionEffect::migrate:
        if (migrate_to_node && f.node != act.target_nid && m.migrate(space, f.addr, act.target_nid))
          applied_bytes += f.size;
        break;
      default:
        break;
    }
  }
  return {.applied = applied_bytes / unit, .filter_passed = passed_bytes / unit};
}

const Vma* vma_of(const std::vector<Vma>& vmas, uint64_t addr) {
  auto it = std::upper_bound(vmas.begin(), vmas.end(), addr,
                             [](uint64_t a, const Vma& v) { return a < v.end; });
  if (it == vmas.end() || addr < it->start) return nullptr;
  return &*it;
}

// vaddr/fvaddr migrate: to target_nid, or interleaved over the dests.
ApplyOutcome apply_virtual_migrate(const MonitorView& view, const Target& target, AddrRange region,
                                   const SchemeAction& act) {
  Machine& m = view.machine;
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

ApplyOutcome apply_virtual_stat(const MonitorView& view, const Target& target, AddrRange region,
                                const SchemeAction& act, std::optional<uint64_t>& last_folio) {
  if (!act.filters.has_ops_filters()) return {};
  Machine& m = view.machine;
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

ApplyOutcome apply_action(const MonitorView& view, const Target& target, AddrRange region,
                          const SchemeAction& act, std::optional<uint64_t>& last_folio) {
  if (view.ops == OpsId::paddr) return apply_physical(view, region, act, last_folio);
  switch (action_effect(view.ops, act.action)) {
    case ActionEffect::madvise:
      return apply_madvise(view, target, region, act.action);
    case ActionEffect::migrate:
      return apply_virtual_migrate(view, target, region, act);
    case ActionEffect::stat:
      return apply_virtual_stat(view, target, region, act, last_folio);
    default:
      break;
  }
  return {};
}

}  // namespace damon
