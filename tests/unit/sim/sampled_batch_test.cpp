// SampledBatch (sampled_batch.h): a batch answers for its own addresses by
// index, goes to the table once, and is forgotten by the next batch.
#include "engine/machine/sim/sampled_batch.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace damon::sim {
namespace {

using Records = std::vector<std::pair<uint64_t, uint64_t>>;

SampledBatch batch_of(const std::vector<uint64_t>& keys, uint64_t at) {
  SampledBatch b;
  b.start(keys.size(), at);
  for (size_t i = 0; i < keys.size(); ++i) b.set(i, keys[i]);
  return b;
}

TEST(SampledBatch, HoldsEachKeyAtItsOwnIndexOnly) {
  const SampledBatch b = batch_of({7, 0, 9}, 500);
  EXPECT_TRUE(b.holds(0, 7));
  EXPECT_TRUE(b.holds(2, 9));
  EXPECT_FALSE(b.holds(1, 7));  // another index
  EXPECT_FALSE(b.holds(0, 9));  // another folio at that index now
  EXPECT_FALSE(b.holds(3, 7));  // past the batch
  EXPECT_EQ(b.at(), 500u);
  EXPECT_FALSE(SampledBatch().holds(0, 0));  // no batch yet
}

TEST(SampledBatch, FlushesItsMappedEntriesOnceInIndexOrder) {
  SampledBatch b = batch_of({7, 0, 9}, 500);
  Records seen;
  const auto record = [&seen](uint64_t key, uint64_t at) { seen.emplace_back(key, at); };
  b.flush(record);
  b.flush(record);
  EXPECT_EQ(seen, (Records{{7, 500}, {9, 500}}));
  EXPECT_TRUE(b.in_table());
  // Still answers for its own check after going to the table.
  EXPECT_TRUE(b.holds(2, 9));
}

TEST(SampledBatch, ANewBatchForgetsTheOldOne) {
  SampledBatch b = batch_of({7, 9}, 500);
  b.mark_checked();
  b.flush([](uint64_t, uint64_t) {});
  b.start(1, 700);
  b.set(0, 11);
  EXPECT_FALSE(b.checked());
  EXPECT_FALSE(b.in_table());
  EXPECT_FALSE(b.holds(1, 9));
  EXPECT_TRUE(b.holds(0, 11));
  EXPECT_EQ(b.at(), 700u);
}

}  // namespace
}  // namespace damon::sim
