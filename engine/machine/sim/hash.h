// Stateless pseudo-randomness for the simulated machine.
//
// Every simulated access is a pure function of (seed, page, time), so any
// question about any page at any time costs the same few hash evaluations
// however large the machine is, and the same scenario and seed always give
// the same answers, from any thread, in any order.
#pragma once

#include <cstdint>

namespace damon::sim {

// SplitMix64's finaliser: a bijective, well-mixed 64-bit hash.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// One mixing round per combined value: sampling runs these a few times per
// sampled page, so they are on DAMON's hot path. The odd multiplier spreads
// b over all bits; mix64's avalanche does the rest.
inline uint64_t hash2(uint64_t a, uint64_t b) { return mix64(a ^ (b * 0xd6e8feb86659fd93ULL)); }

inline uint64_t hash3(uint64_t a, uint64_t b, uint64_t c) { return hash2(hash2(a, b), c); }

// Uniform double in [0, 1) from the top 53 bits of a hash.
inline double unit_interval(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

}  // namespace damon::sim
