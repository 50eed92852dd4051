// The ops group of DAMOS filters, judged per folio by the operations set
// (the kernel's damos_folio_filter_match): anon, active, memcg, young,
// hugepage size, unmapped. Within the group the first filter whose
// condition holds (type match XNOR `matching`) decides: allow passes,
// reject drops; when none holds, the group's default applies.
#pragma once

#include <span>

#include "engine/core/operations.h"
#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

// Whether `filters` include a young filter.
bool has_young_filter(std::span<const Filter> filters);

// The implicit filter paddr pageout adds when the scheme has no young
// filter: never reclaim a folio that was accessed since it was last checked.
inline Filter implicit_young_reject() {
  Filter f;
  f.type = FilterType::young;
  f.matching = true;
  f.allow = false;
  return f;
}

// Judges one folio with the ops group `filters` (plus `extra`, evaluated
// after the group, when given); `default_reject` when none decides. A
// young filter tests and clears the folio's accessed bit through the
// machine, as the kernel's does.
bool folio_passes_ops_filters(std::span<const Filter> filters, bool default_reject,
                              const Filter* extra, Machine& machine, Space space,
                              const FolioInfo& folio);

// Whether a folio of a region `act` is applied to passes: always when the
// core group allowed the region, else as the ops group (and `extra`) judge.
bool folio_passes(const OpsAction& act, const Filter* extra, Machine& machine, Space space,
                  const FolioInfo& folio);

}  // namespace damon
