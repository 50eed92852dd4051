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
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace damon::sim {

class SampledBatch {
 public:
  // Starts a batch made old at `at`, of `n` addresses; set(i, key) gives
  // each its folio's table key (SampleTable::key), 0 where nothing is
  // mapped. The batch before is forgotten.
  void start(size_t n, uint64_t at) {
    keys_.resize(n);
    at_ = at;
    live_ = true;
    in_table_ = checked_ = false;
  }
  void set(size_t i, uint64_t key) { keys_[i] = key; }

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
    for (const uint64_t key : keys_) {
      if (key) record(key, at_);
    }
  }

  // Whether address `i` of the batch was in folio `key`: then it was made
  // old at at(), or later when the table, once the batch is in it, has a
  // newer entry (something else made it old since). A check of the same
  // addresses finds its entries by index.
  bool holds(size_t i, uint64_t key) const { return live_ && i < keys_.size() && keys_[i] == key; }
  uint64_t at() const { return at_; }

 private:
  std::vector<uint64_t> keys_;
  uint64_t at_ = 0;
  bool live_ = false, in_table_ = false, checked_ = false;
};

}  // namespace damon::sim
