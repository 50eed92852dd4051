// A {min, max} pair of ul files: monitoring_attrs/nr_regions and the three
// access_pattern ranges.
#pragma once

#include <cstdint>

#include "fs/tree/dir.h"

namespace damonfs::fs {

struct RangeDir final : TypedDir<RangeDir> {
  RangeDir(uint64_t default_min, uint64_t default_max) : min(default_min), max(default_max) {}
  static const DirType& dir_type();

  uint64_t min;
  uint64_t max;
};

}  // namespace damonfs::fs
