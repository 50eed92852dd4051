#include "fs/tree/range_dir.h"

#include "fs/tree/attr.h"

namespace damonfs::fs {

const DirType& RangeDir::dir_type() {
  static const DirType t{
      .files = {attr::number("min", &RangeDir::min), attr::number("max", &RangeDir::max)},
  };
  return t;
}

}  // namespace damonfs::fs
