#include "engine/ops/fvaddr.h"

#include "engine/core/context.h"

namespace damon {

bool FvaddrOps::target_valid(const Context& ctx, const Target& t) const {
  return ctx.machine().process_alive(t.pid);
}

uint64_t FvaddrOps::machine_addr(const Context& ctx, uint64_t core_addr) const {
  (void)ctx;
  return core_addr;
}

}  // namespace damon
