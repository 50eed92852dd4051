#include "engine/damos/access_pattern.h"

namespace damon {

bool pattern_matches(const AccessPattern& p, const Region& r) {
  const uint64_t sz = r.size();
  const uint64_t nr = observed_nr_accesses(r);
  return p.min_sz <= sz && sz <= p.max_sz && p.min_nr_accesses <= nr && nr <= p.max_nr_accesses &&
         p.min_age <= r.age && r.age <= p.max_age;
}

}  // namespace damon
