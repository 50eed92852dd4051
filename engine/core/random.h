// Seeded randomness: the same seed gives the same regions.
#pragma once

#include <cstdint>
#include <random>

namespace damon {

using Rng = std::mt19937_64;

// Uniform integer in [lo, hi) (hi > lo), like the kernel's damon_rand().
inline uint64_t rand_range(Rng& rng, uint64_t lo, uint64_t hi) {
  return std::uniform_int_distribution<uint64_t>(lo, hi - 1)(rng);
}

}  // namespace damon
