// When each recently sampled folio was last made old by DAMON's sampling
// (mkold).
//
// A small set-associative table, evicting the oldest entry of a full set:
// DAMON keeps one sampled page per region in flight at random addresses, so
// the entries that matter are the newest few thousand, and a table that
// fits in the CPU cache keeps sampling cheap. A lost entry only makes a
// later check look back to the page's previous clear. (The clears of
// test_and_clear_young, which DAMOS walks make on every folio of a region,
// are all kept, per page, in ClearTimes.)
//
// A set fills one cache line, so a check costs at most one miss, and a
// batch can look its sets up first and prefetch them before checking.
// Both operations are in this header so that the sampling loop inlines them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/machine/sim/hash.h"

namespace damon::sim {

class SampleTable {
 public:
  struct Slot {
    uint64_t key = 0;    // 0: empty
    uint64_t stamp = 0;  // since + 1, 0 when empty: what eviction compares
    uint64_t since() const { return stamp - 1; }
  };
  static constexpr size_t kWays = 4;
  static constexpr size_t kSets = 4096;
  struct alignas(64) Set {
    std::array<Slot, kWays> ways;
  };

  SampleTable() : sets_(kSets) {}

  // Identifies a folio: the index of its process and its first virtual
  // page, never 0 (the empty slot's key). Virtual page numbers fit in 36
  // bits.
  static uint64_t key(uint32_t process, uint64_t folio_first) { return (uint64_t{process} + 1) << 36 | folio_first; }

  Set& set_of(uint64_t key) { return sets_[mix64(key) % kSets]; }
  const Set& set_of(uint64_t key) const { return sets_[mix64(key) % kSets]; }

  // The slot holding `key` in its set `set`, or null when it was never
  // recorded or has been evicted.
  static const Slot* find(const Set& set, uint64_t key);
  // Records that `key` was made old at `since`: in place when it is in the
  // set, else in the first empty way, else over the oldest entry. Returns
  // the slot, which holds `key` until it is evicted: a key is only ever in
  // one slot, so a slot found holding it later is its entry.
  static Slot* record(Set& set, uint64_t key, uint64_t since);

 private:
  std::vector<Set> sets_;  // kSets
};

// find() chooses among the ways without branches: which way holds a key is
// as random as the sampled addresses, and mispredicting it cost more than
// the comparing.
inline const SampleTable::Slot* SampleTable::find(const Set& set, uint64_t key) {
  // Scanning down, the first match is the one kept (a key is in at most
  // one way anyway: record() updates it in place).
  const Slot* found = nullptr;
  for (size_t i = kWays; i-- > 0;) found = set.ways[i].key == key ? &set.ways[i] : found;
  return found;
}

inline SampleTable::Slot* SampleTable::record(Set& set, uint64_t key, uint64_t since) {
  // Sampling mostly records folios it has not seen lately: the branch out
  // of this loop is rarely taken, and well predicted.
  for (Slot& w : set.ways) {
    if (w.key == key) {
      w.stamp = since + 1;
      return &w;
    }
  }
  // The victim: the first empty way, else the first of the oldest, which
  // is the first of the lowest stamps.
  size_t victim = 0;
  uint64_t lowest = set.ways[0].stamp;
  for (size_t i = 1; i < kWays; ++i) {
    const uint64_t stamp = set.ways[i].stamp;
    victim = stamp < lowest ? i : victim;
    lowest = stamp < lowest ? stamp : lowest;
  }
  set.ways[victim] = {key, since + 1};
  return &set.ways[victim];
}

}  // namespace damon::sim
