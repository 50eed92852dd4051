// Pages paged out together, coming back as the workload touches them.
//
// Which paged-out page faults first must not need per-page state (a paged-
// out gigabyte would cost a quarter million entries and a walk per time
// step). A page of a random-access region is equally likely to be any of
// the next to be touched, so the order in which the set's pages fault back
// is taken as a fixed pseudo-random permutation of them; the number back
// after time t is the expected number touched since pageout
// (AccessSchedule::touch_probability). Page -> rank -> frame and back are
// O(1)/O(log runs), whatever the set's size.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/machine/sim/access_schedule.h"

namespace damon::sim {

class FaultSet {
 public:
  // `count` pages from virtual page `first` of region `region` of process
  // `proc`, paged out when the region's accesses were at `out`; faults
  // prefer node index `node`.
  FaultSet(uint32_t proc, uint32_t region, uint64_t first, uint64_t count, const AccessSchedule::Progress& out,
           int node, uint64_t seed);

  uint32_t proc() const { return proc_; }
  uint32_t region() const { return region_; }
  uint64_t first() const { return first_; }
  uint64_t count() const { return count_; }
  const AccessSchedule::Progress& out() const { return out_; }
  int preferred_node() const { return node_; }
  // Pages back in memory: those whose rank is below this.
  uint64_t faulted() const { return faulted_; }

  uint64_t rank_of(uint64_t vpage) const;
  uint64_t vpage_of(uint64_t rank) const;

  struct Frame {
    int node;
    uint64_t pfn;
  };
  Frame frame_of(uint64_t rank) const;  // rank < faulted()

  // The next `n` ranks came back, in frames [pfn, pfn + n) of node `node`.
  void add_faulted(int node, uint64_t pfn, uint64_t n);

  // Takes in `count` more pages, before (first moves down) or after the
  // set. Only while nothing has faulted back: the permutation changes.
  void grow(uint64_t new_first, uint64_t new_count);

 private:
  void make_permutation();

  struct Run {
    uint64_t rank;  // first rank of the run
    uint64_t count;
    int node;
    uint64_t pfn;
  };

  uint32_t proc_, region_;
  uint64_t first_, count_;
  AccessSchedule::Progress out_;
  int node_;
  uint64_t seed_;
  uint64_t faulted_ = 0;
  // rank = (mul * index + add) mod count, index = (rank - add) * inv mod count
  uint64_t mul_ = 1, inv_ = 1, add_ = 0;
  std::vector<Run> runs_;
};

}  // namespace damon::sim
