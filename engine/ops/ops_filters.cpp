#include "engine/ops/ops_filters.h"

#include <algorithm>
#include <string>

#include "engine/machine/memcg_path.h"

namespace damon {

namespace {

bool same_memcg(const std::string& folio_memcg, const std::string& filter_path) {
  auto canonical = [](std::string p) { return p == "/" ? std::string() : p; };
  return canonical(folio_memcg) == canonical(memcg_path_key(filter_path));
}

bool ops_filter_holds(const Filter& f, Machine& machine, Space space, const FolioInfo& folio) {
  bool matched = false;
  switch (f.type) {
    case FilterType::anon:
      matched = folio.anon;
      break;
    case FilterType::active:
      matched = folio.active;
      break;
    case FilterType::memcg:
      matched = same_memcg(folio.memcg, f.memcg_path);
      break;
    case FilterType::young:
      matched = machine.test_and_clear_young(space, folio.addr);
      break;
    case FilterType::hugepage_size:
      matched = f.min_sz <= folio.size && folio.size <= f.max_sz;
      break;
    case FilterType::unmapped:
      matched = !folio.mapped;
      break;
    case FilterType::addr:
    case FilterType::target:
      return false;
  }
  return matched == f.matching;
}

}  // namespace

bool has_young_filter(std::span<const Filter> filters) {
  return std::any_of(filters.begin(), filters.end(),
                     [](const Filter& f) { return f.type == FilterType::young; });
}

bool folio_passes_ops_filters(std::span<const Filter> filters, bool default_reject,
                              const Filter* extra, Machine& machine, Space space,
                              const FolioInfo& folio) {
  for (const Filter& f : filters)
    if (ops_filter_holds(f, machine, space, folio)) return f.allow;
  if (extra && ops_filter_holds(*extra, machine, space, folio)) return extra->allow;
  return !default_reject;
}

bool folio_passes(const OpsAction& act, const Filter* extra, Machine& machine, Space space,
                  const FolioInfo& folio) {
  if (act.core_allowed) return true;
  return folio_passes_ops_filters(act.ops_filters, act.ops_default_reject, extra, machine, space,
                                  folio);
}

}  // namespace damon
