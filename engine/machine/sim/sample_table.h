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
    uint64_t key = 0;  // 0: empty
    uint64_t since = 0;
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

  // The slot holding `key` in its set `set`, or null when it was never
  // recorded or has been evicted.
  static const Slot* find(const Set& set, uint64_t key);
  // Records that `key` was made old at `since`: in place when it is in the
  // set, else in the first empty way, else over the oldest entry.
  static void record(Set& set, uint64_t key, uint64_t since);

 private:
  std::vector<Set> sets_;  // kSets
};

// Both operations choose among the ways of a set without branches: which
// way holds a key, and which entry is oldest, are as random as the sampled
// addresses, and mispredicting them cost more than the comparing.
inline const SampleTable::Slot* SampleTable::find(const Set& set, uint64_t key) {
  // Scanning down, the first match is the one kept (a key is in at most
  // one way anyway: record() updates it in place).
  const Slot* found = nullptr;
  for (size_t i = kWays; i-- > 0;) found = set.ways[i].key == key ? &set.ways[i] : found;
  return found;
}

inline void SampleTable::record(Set& set, uint64_t key, uint64_t since) {
  if (const Slot* slot = find(set, key)) {
    set.ways[static_cast<size_t>(slot - set.ways.data())].since = since;
    return;
  }
  // The victim: the first empty way, else the first of the oldest.
  size_t victim = 0;
  bool empty = !set.ways[0].key;
  for (size_t i = 1; i < kWays; ++i) {
    const Slot& w = set.ways[i];
    const bool take = !empty && (!w.key || w.since < set.ways[victim].since);
    victim = take ? i : victim;
    empty = empty || !w.key;
  }
  set.ways[victim] = {key, since};
}

}  // namespace damon::sim
