#include "engine/kdamond/repeat_handle.h"

namespace damon {

bool RepeatControl::set_period_us(uint64_t period_us) {
  // Compare-and-swap so a concurrent end() (kdamond stopping) is never
  // overwritten: once 0, always 0.
  uint64_t cur = period_us_.load(std::memory_order_acquire);
  while (cur != 0) {
    if (period_us_.compare_exchange_weak(cur, period_us, std::memory_order_acq_rel)) return true;
  }
  return false;
}

}  // namespace damon
