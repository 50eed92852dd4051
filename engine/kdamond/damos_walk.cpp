#include "engine/kdamond/damos_walk.h"

#include <cerrno>
#include <utility>

namespace damon {

DamosWalk::DamosWalk(RegionSink sink) : sink_(std::move(sink)) {}

void DamosWalk::report(size_t scheme_index, const TriedRegion& region) {
  if (!ended() && sink_) sink_(scheme_index, region);
}

void DamosWalk::finish() { end(0); }

void DamosWalk::cancel() { end(-ECANCELED); }

void DamosWalk::end(int result) {
  if (!ended()) result_ = result;
}

}  // namespace damon
