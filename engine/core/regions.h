// Region-list algorithms of the monitoring core (docs/engine.md, "The
// monitoring loop"): the per-sample access-rate update, merge, split and "set
// regions".
//
// They work on one target's sorted region vector and keep it sorted and
// non-overlapping. Each pass is O(number of regions): merge compacts in
// place and split rebuilds the vector, so 10000 regions cost no more per
// region than 100.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/core/random.h"
#include "engine/core/region.h"
#include "engine/params.h"

namespace damon {

// The kernel's damon_update_region_access_rate, for the regions of one
// sample: one sample's result into nr_accesses and the smoothed
// nr_accesses_bp (a pseudo moving sum over `window` samples that assumes the
// previous aggregation's accesses were spread evenly). A region's drop
// depends only on its last count, so each count's is divided out once per
// sample rather than once per region (a division per region was a visible
// share of a kdamond's CPU time).
class AccessRateUpdate {
 public:
  explicit AccessRateUpdate(uint64_t window) : window_(window ? window : 1) {}

  void operator()(Region& r, bool accessed) {
    const uint64_t drop = drop_of(r.last_nr_accesses);
    // Saturate instead of wrapping: a wrapped count would read as billions
    // of accesses to every access pattern.
    const uint64_t kept = r.nr_accesses_bp > drop ? r.nr_accesses_bp - drop : 0;
    // Arithmetic rather than branches: whether a sampled page was
    // accessed is as random as it gets.
    r.nr_accesses_bp = static_cast<uint32_t>(kept + kBp * accessed);
    r.nr_accesses += accessed;
  }

 private:
  static constexpr uint64_t kBp = 10000;
  static constexpr uint32_t kKept = 64;  // counts below this are remembered
  uint64_t drop_of(uint32_t last) {
    if (last >= kKept) return uint64_t{last} * kBp / window_;
    if (!(known_ >> last & 1)) {
      drops_[last] = uint64_t{last} * kBp / window_;
      known_ |= uint64_t{1} << last;
    }
    return drops_[last];
  }

  uint64_t window_;
  uint64_t known_ = 0;  // bit c: drops_[c] is set
  std::array<uint64_t, kKept> drops_;
};

// Splits regions[i] so that its first part is `first_size` long
// (0 < first_size < size). The new right part copies the counters and age.
void split_region_at(std::vector<Region>& regions, size_t i, uint64_t first_size);

// A region's score for merging and aging (the kernel's damon_merge_score):
// nr_accesses, or with probe weights (attributes-only monitoring) the
// weighted sum of its probe hits. `last`: of the previous aggregation.
uint32_t merge_score(const Region& r, bool last, std::span<const uint32_t> probe_weights);

// The kernel's damon_merge_regions_of, one pass over one target: ages every
// region, then merges each region into the previous kept one when adjacent,
// |score difference| <= threshold and the merged size stays <= size_limit.
// The score is merge_score(); `probe_weights` empty or all 0: nr_accesses.
void merge_regions_of(std::vector<Region>& regions, uint32_t threshold, uint64_t size_limit,
                      std::span<const uint32_t> probe_weights = {});

// The pseudo moving sum of a count over the last aggregation-long window:
// the current count plus the share of the previous aggregation's count that
// the unfinished window has left (`left_samples` of `window` samples). A
// window just begun (nothing sampled yet) reads the previous count.
uint32_t moving_sum(uint32_t current, uint32_t last, uint64_t left_samples, uint64_t window);

// The kernel's damon_split_regions_of, for one target: cuts every existing
// region into up to `nr_pieces` pieces at random points (10%..90% of the
// remaining left part, aligned to min_region_size); new pieces are not
// revisited.
void split_regions_of(std::vector<Region>& regions, int nr_pieces, uint64_t min_region_size, Rng& rng);

// The newer kernel's damon_apply_min_nr_regions, for one target: cuts every
// region longer than `max_size` into pieces of exactly `max_size` from its
// start, the last piece keeping the rest. The pieces copy the counters and
// age, as a split does.
void cut_regions_to(std::vector<Region>& regions, uint64_t max_size);

// The kernel's damon_set_regions (docs/engine.md, "Set regions"): fits the
// regions to `ranges` (sorted, non-overlapping): regions intersecting no range
// are dropped, the first/last region intersecting a range are stretched to its
// bounds (start aligned down, end aligned up to min_region_size), holes inside
// a range are filled with fresh regions, and a range intersecting nothing gets
// one fresh region. Surviving regions keep their counters.
void set_regions(std::vector<Region>& regions, std::span<const AddrRange> ranges,
                 uint64_t min_region_size);

// Sum of the sizes of every region of every target.
uint64_t total_region_bytes(const std::vector<Target>& targets);
// Number of regions of every target.
uint64_t total_nr_regions(const std::vector<Target>& targets);

}  // namespace damon
