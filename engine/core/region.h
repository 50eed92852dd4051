// Live monitoring state: regions and targets, as the kdamond owns them.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/params.h"

namespace damon {

struct Region {
  AddrRange ar;                   // core address units, aligned to the min region size
  uint64_t sampling_addr = 0;     // the address checked this sampling interval
  uint32_t nr_accesses = 0;       // raw count in the current aggregation
  uint32_t nr_accesses_bp = 0;    // smoothed count x 10000 (what patterns see)
  uint32_t last_nr_accesses = 0;  // count of the previous aggregation
  uint32_t age = 0;               // aggregation intervals the pattern persisted
  // Samples of the current aggregation that each probe's filters passed;
  // the kernel's unsigned char counters, wrapping at 256 like them.
  std::array<uint8_t, kMaxProbes> probe_hits{};
  // probe_hits of the previous aggregation (7.3: the moving sums and the
  // attributes-only age read them).
  std::array<uint8_t, kMaxProbes> last_probe_hits{};

  uint64_t size() const { return ar.size(); }
};

struct Target {
  int pid = 0;        // vaddr/fvaddr
  bool valid = true;  // false once the process is gone
  std::vector<Region> regions;  // sorted, non-overlapping
};

}  // namespace damon
