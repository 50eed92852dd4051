// Staged context directory -> engine parameters (docs/state.md, "on"), the
// user-space counterpart of the kernel's sysfs context build.
#pragma once

#include "engine/params.h"
#include "fs/tree/context_dirs.h"

namespace damonfs::fs {

// Fills `out` from everything staged under `ctx`: filters in installation
// order (core_filters, ops_filters, filters), goals with target_value 0 left
// out, values otherwise as written. Returns 0, or -ENOMEM when a scheme
// cannot be built for a reason visible here (an addr filter whose end is
// below its start, a hugepage_size filter whose min exceeds its max): the
// kernel's sysfs layer turns every scheme build failure into ENOMEM. `out`
// is complete either way, because the kernel checks the context (EINVAL)
// before it builds schemes and the caller must be able to do the same.
int build_context_params(ContextDir& ctx, damon::ContextParams& out);

}  // namespace damonfs::fs
