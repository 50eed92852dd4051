// Watermark-based activation of a scheme (docs/engine.md, "Watermarks"; the
// kernel's damos_wmark_wait_us).
#pragma once

#include <cstdint>
#include <optional>

#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

// Free memory of all nodes in permil of all memory; nullopt when the
// machine reports no memory.
std::optional<uint64_t> free_mem_rate_permil(const Machine& machine);

// The metric's current value, nullopt for `none` (no watermarks).
std::optional<uint64_t> watermark_metric_value(const Watermarks& wmarks, const Machine& machine);

class WatermarkState {
 public:
  bool active() const { return active_; }
  // Schemes start active, and so does every scheme a commit touches.
  void reset() { active_ = true; }

  // One check with the metric's current value: above high or below low
  // deactivates; once deactivated the scheme stays so until the value
  // drops below mid (hysteresis). Returns how long to wait before the next
  // check when deactivated, 0 when active.
  uint64_t check(const Watermarks& wmarks, std::optional<uint64_t> metric_value);

 private:
  bool active_ = true;
};

}  // namespace damon
