// Scheme parameters the kernel cannot build (docs/state.md, "on"): the sysfs
// layer reports every scheme construction failure at `on`/`commit` as ENOMEM,
// while commit_schemes_quota_goals reports an unresolvable goal memcg as
// EINVAL. Context-level checks live in core/validate.h.
#pragma once

#include <vector>

#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

// 0 or ENOMEM: a memcg filter whose path is empty or names no memcg, an
// addr filter ending before it starts, a hugepage_size filter with min >
// max, or a node_memcg_* goal whose path names no memcg.
int validate_schemes(const std::vector<SchemeParams>& schemes, const Machine& machine);

// 0 or EINVAL: a node_memcg_* goal whose path names no memcg.
int validate_quota_goals(const std::vector<SchemeParams>& schemes, const Machine& machine);

}  // namespace damon
