// SampledBatch (sampled_batch.h): a batch answers for its own addresses by
// index, goes to the table once, and is forgotten by the next batch.
#include "engine/machine/sim/sampled_batch.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace damon::sim {
namespace {

using Records = std::vector<std::pair<uint64_t, uint64_t>>;

constexpr uint64_t kProc = uint64_t{1} << 36;  // SampleTable::key(0, 0)
constexpr uint64_t kHuge = 512;

// Three addresses: a small page (page 7), nothing mapped (page 20), a page
// inside a huge folio (page 1030, folio from page 1024).
const std::vector<uint64_t> kAddrs = {7 * kPageSize + 100, 20 * kPageSize, 1030 * kPageSize};

SampledBatch batch_at(uint64_t at) {
  SampledBatch b;
  b.start(kAddrs, kProc, at);
  b.set(0, 1);
  b.set(1, 0);
  b.set(2, kHuge);
  return b;
}

TEST(SampledBatch, HoldsEachFolioAtItsOwnIndexOnly) {
  const SampledBatch b = batch_at(500);
  EXPECT_TRUE(b.holds(0, kProc | 7));
  EXPECT_TRUE(b.holds(2, kProc | 1024));
  EXPECT_FALSE(b.holds(1, kProc | 20));   // nothing was mapped there
  EXPECT_FALSE(b.holds(1, kProc | 7));    // another index
  EXPECT_FALSE(b.holds(2, kProc | 1030))  // the page, not its folio
      << "a huge folio is found by its first page";
  EXPECT_FALSE(b.holds(3, kProc | 7));  // past the batch
  EXPECT_EQ(b.at(), 500u);
  EXPECT_FALSE(SampledBatch().holds(0, kProc));  // no batch yet
}

TEST(SampledBatch, SameFolioAgreesWithHoldsForItsOwnAddresses) {
  const SampledBatch b = batch_at(500);
  ASSERT_TRUE(b.same_addresses(kAddrs));
  EXPECT_TRUE(b.same_folio(0, 7, 7));
  EXPECT_TRUE(b.same_folio(2, 1030, 1024));
  EXPECT_FALSE(b.same_folio(2, 1030, 1030));  // split small since
  EXPECT_FALSE(b.same_folio(0, 7, 0));        // collapsed into a huge folio from page 0 since
  EXPECT_FALSE(b.same_folio(1, 20, 20));      // mapped since
  // A page at the start of a huge folio has the same first page either way.
  SampledBatch aligned;
  aligned.start(std::vector<uint64_t>{1024 * kPageSize}, kProc, 500);
  aligned.set(0, 1);
  EXPECT_TRUE(aligned.same_folio(0, 1024, 1024));
  EXPECT_EQ(aligned.same_folio(0, 1024, 1024), aligned.holds(0, kProc | 1024));
}

TEST(SampledBatch, SameAddressesOnlyInTheSameOrder) {
  const SampledBatch b = batch_at(500);
  EXPECT_TRUE(b.same_addresses(kAddrs));
  EXPECT_FALSE(b.same_addresses(std::vector<uint64_t>{kAddrs[0], kAddrs[1]}));
  EXPECT_FALSE(b.same_addresses(std::vector<uint64_t>{kAddrs[2], kAddrs[1], kAddrs[0]}));
  EXPECT_FALSE(SampledBatch().same_addresses(std::vector<uint64_t>{}));  // no batch yet
}

TEST(SampledBatch, FlushesItsMappedEntriesOnceInIndexOrder) {
  SampledBatch b = batch_at(500);
  Records seen;
  const auto record = [&seen](uint64_t key, uint64_t at) { seen.emplace_back(key, at); };
  b.flush(record);
  b.flush(record);
  EXPECT_EQ(seen, (Records{{kProc | 7, 500}, {kProc | 1024, 500}}));
  EXPECT_TRUE(b.in_table());
  // Still answers for its own check after going to the table.
  EXPECT_TRUE(b.holds(2, kProc | 1024));
}

TEST(SampledBatch, ANewBatchForgetsTheOldOne) {
  SampledBatch b = batch_at(500);
  b.mark_checked();
  b.flush([](uint64_t, uint64_t) {});
  b.start(std::vector<uint64_t>{11 * kPageSize}, kProc, 700);
  b.set(0, 1);
  EXPECT_FALSE(b.checked());
  EXPECT_FALSE(b.in_table());
  EXPECT_FALSE(b.holds(2, kProc | 1024));
  EXPECT_TRUE(b.holds(0, kProc | 11));
  EXPECT_EQ(b.at(), 700u);
}

}  // namespace
}  // namespace damon::sim
