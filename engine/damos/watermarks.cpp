#include "engine/damos/watermarks.h"

namespace damon {

std::optional<uint64_t> free_mem_rate_permil(const Machine& machine) {
  uint64_t total = 0;
  uint64_t free_bytes = 0;
  for (const NodeMemory& n : machine.nodes()) {
    total += n.total_bytes;
    free_bytes += n.free_bytes;
  }
  if (!total) return std::nullopt;
  // Pages, like the kernel's NR_FREE_PAGES * 1000 / totalram_pages().
  return free_bytes / kPageSize * 1000 / (total / kPageSize ? total / kPageSize : 1);
}

std::optional<uint64_t> watermark_metric_value(const Watermarks& wmarks, const Machine& machine) {
  switch (wmarks.metric) {
    case WatermarkMetric::none:
      break;
    case WatermarkMetric::free_mem_rate:
      return free_mem_rate_permil(machine);
  }
  return std::nullopt;
}

uint64_t WatermarkState::check(const Watermarks& wmarks, std::optional<uint64_t> metric_value) {
  // No metric: the scheme's activation is left as it is.
  if (!metric_value) return 0;
  const uint64_t v = *metric_value;
  if (v > wmarks.high || v < wmarks.low) {
    active_ = false;
    return wmarks.interval_us;
  }
  if (!active_ && v >= wmarks.mid) return wmarks.interval_us;
  active_ = true;
  return 0;
}

}  // namespace damon
