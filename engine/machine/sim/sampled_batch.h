// The last batch of pages DAMON's sampling made old in one process, kept
// aside from the SampleTable.
//
// A vaddr kdamond makes one page per region old, then checks the same pages
// one sampling interval later, in the same order: the check needs nothing
// but the batch's own time, found by the address's index. Recording a
// thousand entries in the table per sample was a fifth of the simulator's
// cost, and a batch the kdamond has checked is mostly never asked about
// again. So a batch goes into the table only when something else may ask
// about its pages first: a second batch on the same process before this
// one is checked (another kdamond), or any other look-up in the table
// (DAMOS's young filter, paddr sampling, probes). What the table loses is
// the checked batches before the newest: an older mkold time of a page
// nobody sampled since, the same as when the table evicts it. The batch's
// own check never depends on the table keeping its entries.
//
// Per address the batch keeps the address and one byte, the size of the
// folio it was in: the sampling helper (chunk_runner.h) reads those bytes
// from the kdamond's core every sample, where full table keys were eight
// times as many bytes to move between the cores.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/machine/machine.h"

namespace damon::sim {

class SampledBatch {
 public:
  // Starts a batch of `addrs`, made old at `at`, in the process whose table
  // keys (SampleTable::key) are `proc_key` | a folio's first page; set(i,
  // pages) must then give the size of the folio each was in. The batch
  // before is forgotten.
  void start(std::span<const uint64_t> addrs, uint64_t proc_key, uint64_t at) {
    addrs_.assign(addrs.begin(), addrs.end());
    shapes_.resize(addrs.size());
    proc_key_ = proc_key;
    at_ = at;
    live_ = true;
    in_table_ = checked_ = false;
  }
  // Address i was in a folio of `folio_pages` pages (a power of two), or
  // nothing was mapped there (0).
  void set(size_t i, uint64_t folio_pages) {
    shapes_[i] = folio_pages ? static_cast<uint8_t>(std::countr_zero(folio_pages) + 1) : kUnmapped;
  }

  // Whether there is a batch (until the next start()), whether it has
  // been put in the table, and whether a check went over it: a new batch
  // may take the place of a checked one without putting it in the table.
  bool live() const { return live_; }
  bool in_table() const { return in_table_; }
  bool checked() const { return checked_; }
  void mark_checked() { checked_ = true; }
  // Hands the entries over, in index order, once.
  template <class F>
  void flush(F record) {
    if (!live_ || in_table_) return;
    in_table_ = true;
    for (size_t i = 0; i < addrs_.size(); ++i) {
      if (shapes_[i] != kUnmapped) record(key(i), at_);
    }
  }

  // Whether address `i` of the batch was in folio `key`: then it was made
  // old at at(), or later when the table, once the batch is in it, has a
  // newer entry (something else made it old since).
  bool holds(size_t i, uint64_t key) const { return live_ && i < addrs_.size() && this->key(i) == key; }
  uint64_t at() const { return at_; }

  // A check of the batch's own addresses, in the same order, finds each
  // by index: same_folio(i, ...) is holds(i, proc_key | folio_first) for
  // address i, at virtual page `vpage`, now in the folio starting at page
  // `folio_first`. It reads one byte of the batch per address.
  bool same_addresses(std::span<const uint64_t> addrs) const {
    return live_ && std::equal(addrs.begin(), addrs.end(), addrs_.begin(), addrs_.end());
  }
  bool same_folio(size_t i, uint64_t vpage, uint64_t folio_first) const {
    return shapes_[i] != kUnmapped && first_page(vpage, shapes_[i]) == folio_first;
  }

 private:
  static constexpr uint8_t kUnmapped = 0;  // else log2(folio pages) + 1
  static uint64_t first_page(uint64_t vpage, uint8_t shape) { return vpage & ~((uint64_t{1} << (shape - 1)) - 1); }
  // The table key of address i's folio, 0 where nothing was mapped.
  uint64_t key(size_t i) const {
    return shapes_[i] == kUnmapped ? 0 : proc_key_ | first_page(addrs_[i] / kPageSize, shapes_[i]);
  }

  std::vector<uint64_t> addrs_;
  std::vector<uint8_t> shapes_;
  uint64_t proc_key_ = 0, at_ = 0;
  bool live_ = false, in_table_ = false, checked_ = false;
};

}  // namespace damon::sim
