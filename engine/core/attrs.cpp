#include "engine/core/attrs.h"

#include <algorithm>
#include <limits>

#include "engine/core/arith.h"

namespace damon {

namespace {

constexpr uint64_t kBp = 10000;

uint32_t rescale_nr_accesses(uint32_t nr, const MonitoringAttrs& from, const MonitoringAttrs& to) {
  const uint64_t bp = arith::mult_frac(nr, kBp, max_nr_accesses(from));
  return static_cast<uint32_t>(bp * max_nr_accesses(to) / kBp);
}

}  // namespace

uint32_t max_nr_accesses(const MonitoringAttrs& a) {
  const uint64_t n = a.aggr_us / sample_divisor(a);
  return static_cast<uint32_t>(std::clamp<uint64_t>(n, 1, std::numeric_limits<uint32_t>::max()));
}

void update_monitoring_results(std::vector<Target>& targets, const MonitoringAttrs& old_attrs,
                               const MonitoringAttrs& new_attrs, bool aggregating) {
  if (!old_attrs.sample_us || !old_attrs.aggr_us || !new_attrs.sample_us || !new_attrs.aggr_us) return;
  for (Target& t : targets) {
    for (Region& r : t.regions) {
      if (aggregating) {
        r.last_nr_accesses = rescale_nr_accesses(r.last_nr_accesses, old_attrs, new_attrs);
        r.nr_accesses_bp = static_cast<uint32_t>(r.last_nr_accesses * kBp);
        r.nr_accesses = 0;
      } else {
        r.nr_accesses = rescale_nr_accesses(r.nr_accesses, old_attrs, new_attrs);
        r.nr_accesses_bp = static_cast<uint32_t>(r.nr_accesses * kBp);
      }
      r.age = static_cast<uint32_t>(static_cast<uint64_t>(r.age) * old_attrs.aggr_us / new_attrs.aggr_us);
    }
  }
}

}  // namespace damon
