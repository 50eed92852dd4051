#include "engine/ops/paddr.h"

#include "engine/core/context.h"

namespace damon {

bool PaddrOps::target_valid(const Context& ctx, const Target& t) const {
  (void)ctx;
  (void)t;
  return true;
}

bool PaddrOps::all_targets_invalid(const Context& ctx) const {
  (void)ctx;
  return false;
}

Space PaddrOps::space_of(const Target& t) const {
  (void)t;
  return Space::phys();
}

uint64_t PaddrOps::machine_addr(const Context& ctx, uint64_t core_addr) const {
  return core_addr * ctx.params().addr_unit;
}

}  // namespace damon
