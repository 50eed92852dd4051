// Seeded randomness: the same seed gives the same regions.
#pragma once

#include <cstdint>

namespace damon {

// SplitMix64: one add and a few multiply-xor steps per number. Sampling
// draws one address per region per sample (a thousand per 5 ms), so the
// generator is a visible part of a kdamond's CPU time; a Mersenne Twister
// with a division per draw was about a tenth of it.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Uniform integer in [lo, hi) (hi > lo), like the kernel's damon_rand():
// Lemire's multiply-and-shift, rejecting the few draws that would bias it.
inline uint64_t rand_range(Rng& rng, uint64_t lo, uint64_t hi) {
  const uint64_t range = hi - lo;
  unsigned __int128 m = static_cast<unsigned __int128>(rng()) * range;
  if (static_cast<uint64_t>(m) < range) {
    const uint64_t threshold = -range % range;
    while (static_cast<uint64_t>(m) < threshold) m = static_cast<unsigned __int128>(rng()) * range;
  }
  return lo + static_cast<uint64_t>(m >> 64);
}

}  // namespace damon
