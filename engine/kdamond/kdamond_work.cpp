#include "engine/kdamond/kdamond_work.h"

#include "engine/kdamond/damos_walk.h"

namespace damon {

// Like the kernel with no schemes: a walk has nothing to wait for.
void KdamondWork::begin_walk(DamosWalk& walk) { walk.cancel(); }

}  // namespace damon
