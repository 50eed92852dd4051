#include "engine/damos/filters.h"

#include <algorithm>

#include "engine/core/arith.h"
#include "engine/core/regions.h"
#include "engine/damos/goal_metrics.h"

namespace damon {

FilterSet::FilterSet(const std::vector<Filter>& filters) {
  for (const Filter& f : filters) (is_core_filter(f.type) ? core_ : ops_).push_back(f);
  ops_default_reject_ = !ops_.empty() && ops_.back().allow;
  core_default_reject_ = ops_.empty() && !core_.empty() && core_.back().allow;
}

bool FilterSet::has_young_ops_filter() const {
  return std::any_of(ops_.begin(), ops_.end(),
                     [](const Filter& f) { return f.type == FilterType::young; });
}

namespace {

// Whether regions[idx] lies in the filter's address range, splitting it at
// the first range bound that cuts it.
bool in_addr_range(const Filter& f, std::vector<Region>& regions, size_t idx,
                   uint64_t min_region_size) {
  const uint64_t start = arith::align_down(f.addr.start, min_region_size);
  const uint64_t end = arith::align_down(f.addr.end, min_region_size);
  const AddrRange r = regions[idx].ar;
  if (start <= r.start && r.end <= end) return true;
  if (r.end <= start || end <= r.start) return false;
  if (r.start < start) {
    split_region_at(regions, idx, start - r.start);
    return false;
  }
  split_region_at(regions, idx, end - r.start);
  return true;
}

bool core_filter_holds(const Filter& f, size_t target_idx, std::vector<Region>& regions, size_t idx,
                       uint64_t min_region_size) {
  bool matched = false;
  switch (f.type) {
    case FilterType::target:
      matched = f.target_idx >= 0 && static_cast<size_t>(f.target_idx) == target_idx;
      break;
    case FilterType::addr:
      matched = in_addr_range(f, regions, idx, min_region_size);
      break;
    default:
      return false;
  }
  return matched == f.matching;
}

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

CoreVerdict judge_core_filters(const FilterSet& filters, size_t target_idx,
                               std::vector<Region>& regions, size_t idx, uint64_t min_region_size) {
  for (const Filter& f : filters.core()) {
    if (core_filter_holds(f, target_idx, regions, idx, min_region_size))
      return {.pass = f.allow, .allowed = f.allow};
  }
  return {.pass = !filters.core_default_reject()};
}

bool folio_passes_ops_filters(const FilterSet& filters, const Filter* extra, Machine& machine,
                              Space space, const FolioInfo& folio) {
  for (const Filter& f : filters.ops())
    if (ops_filter_holds(f, machine, space, folio)) return f.allow;
  if (extra && ops_filter_holds(*extra, machine, space, folio)) return extra->allow;
  return !filters.ops_default_reject();
}

}  // namespace damon
