#include "engine/damos/filters.h"

#include "engine/core/arith.h"
#include "engine/core/regions.h"

namespace damon {

FilterSet::FilterSet(const std::vector<Filter>& filters) {
  for (const Filter& f : filters) (is_core_filter(f.type) ? core_ : ops_).push_back(f);
  ops_default_reject_ = !ops_.empty() && ops_.back().allow;
  core_default_reject_ = ops_.empty() && !core_.empty() && core_.back().allow;
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

}  // namespace

CoreVerdict judge_core_filters(const FilterSet& filters, size_t target_idx,
                               std::vector<Region>& regions, size_t idx, uint64_t min_region_size) {
  for (const Filter& f : filters.core()) {
    if (core_filter_holds(f, target_idx, regions, idx, min_region_size))
      return {.pass = f.allow, .allowed = f.allow};
  }
  return {.pass = !filters.core_default_reject()};
}

}  // namespace damon
