// One damos_walk as the DAMOS layer sees it: a sink for the regions schemes
// are about to act on, and the way to say the walk is over.
//
// Owned by the kdamond; handed to KdamondWork::begin_walk() and used on the
// kdamond thread only. The request completes (its completion callback runs)
// at the next safe point after finish() or cancel().
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "engine/params.h"

namespace damon {

class DamosWalk {
 public:
  // Receives each reported region with the index of the scheme acting on it.
  using RegionSink = std::function<void(size_t scheme_index, const TriedRegion& region)>;

  explicit DamosWalk(RegionSink sink);

  // Streams one region to the requester. Ignored once the walk has ended.
  void report(size_t scheme_index, const TriedRegion& region);
  // Every scheme finished one apply round: the request completes with 0.
  void finish();
  // The walk cannot complete: the request completes with -ECANCELED.
  void cancel();

  bool ended() const { return result_.has_value(); }
  // 0 or -ECANCELED; meaningful once ended().
  int result() const { return result_.value_or(0); }

 private:
  void end(int result);

  RegionSink sink_;
  std::optional<int> result_;
};

}  // namespace damon
