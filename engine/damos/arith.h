// Saturating arithmetic DAMOS quotas need on top of core/arith.h: an
// effective quota can legitimately be "unlimited" (ULONG_MAX in the kernel),
// and products of user-given limits must clamp there rather than wrap.
#pragma once

#include <cstdint>
#include <limits>

namespace damon {

inline constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

constexpr uint64_t saturating_mul(uint64_t a, uint64_t b) {
  if (a != 0 && b > kUnlimited / a) return kUnlimited;
  return a * b;
}

}  // namespace damon
