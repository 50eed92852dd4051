// Integer helpers with the kernel's rounding, so engine arithmetic gives the
// same numbers as mm/damon. Shared by core, ops and DAMOS; namespaced so call
// sites read arith::mult_frac like the kernel macros they mirror.
#pragma once

#include <cstdint>

namespace damon::arith {

// x * numer / denom without overflowing the intermediate product (the
// kernel's mult_frac): the quotient and remainder of x / denom are scaled
// separately.
inline uint64_t mult_frac(uint64_t x, uint64_t numer, uint64_t denom) {
  const uint64_t q = x / denom;
  const uint64_t r = x % denom;
  return q * numer + r * numer / denom;
}

// Alignment to a unit; division-based, so right for any unit, not only
// powers of two.
inline uint64_t align_down(uint64_t x, uint64_t unit) { return x / unit * unit; }
// Saturates at the last aligned address instead of wrapping to 0 (a region
// end of ~0UL would otherwise become an empty region).
inline uint64_t align_up(uint64_t x, uint64_t unit) {
  const uint64_t bump = unit - 1;
  if (x > UINT64_MAX - bump) return align_down(UINT64_MAX, unit);
  return align_down(x + bump, unit);
}

inline uint64_t abs_diff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

}  // namespace damon::arith
