#include "engine/ops/registry.h"

#include "engine/ops/fvaddr.h"
#include "engine/ops/paddr.h"
#include "engine/ops/vaddr.h"

namespace damon {

std::unique_ptr<Operations> make_operations(OpsId id) {
  switch (id) {
    case OpsId::vaddr:
      return std::make_unique<VaddrOps>();
    case OpsId::fvaddr:
      return std::make_unique<FvaddrOps>();
    case OpsId::paddr:
      return std::make_unique<PaddrOps>();
  }
  return nullptr;
}

}  // namespace damon
