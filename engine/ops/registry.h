// The operations sets this engine has, by name: the kernel's
// damon_register_ops/damon_select_ops. The one place an OpsId picks code;
// pass make_operations to a Context (its SelectOps).
#pragma once

#include <memory>

#include "engine/core/operations.h"
#include "engine/params.h"

namespace damon {

std::unique_ptr<Operations> make_operations(OpsId id);

}  // namespace damon
