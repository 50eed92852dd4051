// Parameter validation at `on` and `commit` (docs/state.md, "on"), with the
// kernel's errno. Scheme construction failures (ENOMEM) are judged by the DAMOS
// layer; everything a context needs before it can be built is here.
#pragma once

#include <cstdint>

#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

// 0 or a positive errno (EINVAL) for parameters given at `on` or `commit`:
// unsupported operations set, nr_regions min < 3 or min > max, sample_us >
// aggr_us, an inconsistent intervals goal, a non-power-of-two paddr minimum
// region size, paddr with more than one target, a vaddr/fvaddr pid that does
// not exist, user regions that are empty, reversed, unsorted or overlapping,
// or a node_eligible_mem_bp quota goal with non-paddr operations.
int validate(const ContextParams& params, const Machine& machine);

// The attribute checks alone (the kernel's damon_set_attrs): also applied to
// auto-tuned intervals, which are dropped when they fail.
bool valid_attrs(const MonitoringAttrs& attrs);

// The minimum region size in core address units: PAGE_SIZE, or for
// paddr max(PAGE_SIZE / addr_unit, 1).
uint64_t min_region_size(const ContextParams& params);

}  // namespace damon
