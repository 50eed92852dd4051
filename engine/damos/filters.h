// DAMOS filters (docs/engine.md, "Filters"; the kernel's damos_filter_out and
// damos_pa_filter_out).
//
// Filters are sorted into the core group (addr, target), judged per region
// by the core, and the ops group (the others), judged per folio by the
// operations set. Within a group the first filter whose condition holds
// (type match XNOR `matching`) decides: allow passes, reject drops. When
// none holds, the group's default applies: drop if its last filter is an
// allow filter, else pass; but the core group always passes by default when
// an ops group exists, so the ops group gets its say.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/core/region.h"
#include "engine/params.h"

namespace damon {

class FilterSet {
 public:
  FilterSet() = default;
  // `filters` in installation order (core_filters/, ops_filters/, filters/).
  explicit FilterSet(const std::vector<Filter>& filters);

  const std::vector<Filter>& core() const { return core_; }
  const std::vector<Filter>& ops() const { return ops_; }
  bool core_default_reject() const { return core_default_reject_; }
  bool ops_default_reject() const { return ops_default_reject_; }
  bool has_ops_filters() const { return !ops_.empty(); }

 private:
  std::vector<Filter> core_;
  std::vector<Filter> ops_;
  bool core_default_reject_ = false;
  bool ops_default_reject_ = false;
};

struct CoreVerdict {
  bool pass = true;
  // An allow filter of the core group decided: the ops group is skipped.
  bool allowed = false;
};

// Judges regions[idx] of the target at `target_idx`. An addr filter whose
// range (aligned down to `min_region_size`) cuts the region splits it there
// first and judges the left piece; the right piece, inserted at idx + 1,
// is judged when it is offered.
CoreVerdict judge_core_filters(const FilterSet& filters, size_t target_idx,
                               std::vector<Region>& regions, size_t idx, uint64_t min_region_size);

}  // namespace damon
