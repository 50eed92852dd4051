// fvaddr: fixed virtual address ranges of processes. Monitors exactly the
// user-given regions of each pid; the base of vaddr, which adds automatic
// ranges.
#pragma once

#include "engine/ops/operations.h"

namespace damon {

class FvaddrOps : public Operations {
 public:
  OpsId id() const override { return OpsId::fvaddr; }
  bool target_valid(const Context& ctx, const Target& t) const override;

 protected:
  Space space_of(const Target& t) const override { return Space::process(t.pid); }
  uint64_t machine_addr(const Context& ctx, uint64_t core_addr) const override;
};

}  // namespace damon
