#include "engine/machine/sim/fault_set.h"

#include <algorithm>
#include <cassert>
#include <numeric>
#include <tuple>
#include <utility>

#include "engine/machine/sim/hash.h"

namespace damon::sim {
namespace {

using u128 = unsigned __int128;

uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) { return static_cast<uint64_t>(u128(a) * b % m); }

// Inverse of a modulo m (gcd(a, m) = 1), by the extended Euclidean algorithm.
uint64_t inverse(uint64_t a, uint64_t m) {
  if (m == 1) return 0;
  __int128 t = 0, new_t = 1, r = m, new_r = a;
  while (new_r) {
    const __int128 q = r / new_r;
    std::tie(t, new_t) = std::make_pair(new_t, t - q * new_t);
    std::tie(r, new_r) = std::make_pair(new_r, r - q * new_r);
  }
  if (t < 0) t += m;
  return static_cast<uint64_t>(t);
}

}  // namespace

FaultSet::FaultSet(uint32_t proc, uint32_t region, uint64_t first, uint64_t count,
                   const AccessSchedule::Progress& out, int node, uint64_t seed)
    : proc_(proc), region_(region), first_(first), count_(count), out_(out), node_(node), seed_(seed) {
  make_permutation();
}

void FaultSet::make_permutation() {
  // A multiplier near count / golden ratio spreads neighbouring pages far
  // apart in fault order; it must be coprime with count to permute.
  const uint64_t h = hash3(seed_, first_, count_);
  uint64_t m = std::max<uint64_t>(1, static_cast<uint64_t>(static_cast<double>(count_) * 0.6180339887498949));
  m += h % std::max<uint64_t>(1, count_ / 64 + 1);
  while (std::gcd(m % count_ ? m % count_ : count_, count_) != 1) ++m;
  mul_ = count_ == 1 ? 0 : m % count_;
  inv_ = inverse(mul_, count_);
  add_ = hash2(h, 1) % count_;
}

uint64_t FaultSet::rank_of(uint64_t vpage) const {
  assert(vpage >= first_ && vpage < first_ + count_);
  return (mulmod(mul_, vpage - first_, count_) + add_) % count_;
}

uint64_t FaultSet::vpage_of(uint64_t rank) const {
  return first_ + mulmod((rank + count_ - add_) % count_, inv_, count_);
}

FaultSet::Frame FaultSet::frame_of(uint64_t rank) const {
  assert(rank < faulted_);
  auto it = std::upper_bound(runs_.begin(), runs_.end(), rank,
                             [](uint64_t r, const Run& run) { return r < run.rank; });
  --it;
  return {it->node, it->pfn + (rank - it->rank)};
}

void FaultSet::add_faulted(int node, uint64_t pfn, uint64_t n) {
  assert(faulted_ + n <= count_);
  if (!runs_.empty()) {
    Run& last = runs_.back();
    if (last.node == node && last.pfn + last.count == pfn) {
      last.count += n;
      faulted_ += n;
      return;
    }
  }
  runs_.push_back({faulted_, n, node, pfn});
  faulted_ += n;
}

void FaultSet::grow(uint64_t new_first, uint64_t new_count) {
  assert(faulted_ == 0);
  first_ = new_first;
  count_ = new_count;
  make_permutation();
}

}  // namespace damon::sim
