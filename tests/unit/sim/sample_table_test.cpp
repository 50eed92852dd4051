// SampleTable: the set-associative record of when sampling made folios old.
#include "engine/machine/sim/sample_table.h"

#include <gtest/gtest.h>

#include <set>

namespace damon::sim {
namespace {

TEST(SampleTable, KeysAreNeverEmptyAndTellProcessesApart) {
  EXPECT_NE(SampleTable::key(0, 0), 0u);
  EXPECT_NE(SampleTable::key(0, 5), SampleTable::key(1, 5));
  EXPECT_NE(SampleTable::key(0, 5), SampleTable::key(0, 6));
  // The largest virtual page number (48-bit addresses) stays in its field.
  const uint64_t last = (uint64_t{1} << 36) - 1;
  EXPECT_NE(SampleTable::key(0, last), SampleTable::key(1, 0));
}

TEST(SampleTable, RecordsAndUpdatesInPlace) {
  SampleTable::Set set;
  EXPECT_EQ(SampleTable::find(set, 7), nullptr);
  SampleTable::record(set, 7, 100);
  ASSERT_NE(SampleTable::find(set, 7), nullptr);
  EXPECT_EQ(SampleTable::find(set, 7)->since(), 100u);
  SampleTable::record(set, 7, 250);
  EXPECT_EQ(SampleTable::find(set, 7)->since(), 250u);
  // The update took no second way: three more keys all fit beside it.
  for (uint64_t k = 8; k < 11; ++k) SampleTable::record(set, k, 300 + k);
  for (uint64_t k = 7; k < 11; ++k) EXPECT_NE(SampleTable::find(set, k), nullptr) << k;
}

TEST(SampleTable, FullSetEvictsTheOldestEntry) {
  SampleTable::Set set;
  // Recorded out of time order: the oldest is in the third way.
  const uint64_t since[SampleTable::kWays] = {40, 20, 10, 30};
  for (uint64_t k = 0; k < SampleTable::kWays; ++k) SampleTable::record(set, k + 1, since[k]);
  SampleTable::record(set, 99, 50);
  EXPECT_EQ(SampleTable::find(set, 3), nullptr);
  for (uint64_t k : {1, 2, 4, 99}) EXPECT_NE(SampleTable::find(set, k), nullptr) << k;
  // Next goes the one made old at 20.
  SampleTable::record(set, 100, 60);
  EXPECT_EQ(SampleTable::find(set, 2), nullptr);
  EXPECT_EQ(SampleTable::find(set, 100)->since(), 60u);
}

TEST(SampleTable, EqualTimesEvictTheFirstWay) {
  SampleTable::Set set;
  for (uint64_t k = 1; k <= SampleTable::kWays; ++k) SampleTable::record(set, k, 10);
  SampleTable::record(set, 50, 10);
  EXPECT_EQ(SampleTable::find(set, 1), nullptr);
  EXPECT_NE(SampleTable::find(set, 2), nullptr);
}

TEST(SampleTable, AnEmptyWayGoesBeforeAnEntryMadeOldAtTimeZero) {
  SampleTable::Set set;
  SampleTable::record(set, 1, 0);
  SampleTable::record(set, 2, 0);
  SampleTable::record(set, 3, 5);
  // Way 3 is empty; the entries of ways 0 and 1 are as old as it could be.
  SampleTable::record(set, 4, 7);
  for (uint64_t k = 1; k <= SampleTable::kWays; ++k) EXPECT_NE(SampleTable::find(set, k), nullptr) << k;
}

TEST(SampleTable, EachKeyHasOneSetOfTheTable) {
  SampleTable table;
  const uint64_t a = SampleTable::key(0, 1000), b = SampleTable::key(3, 77);
  EXPECT_EQ(&table.set_of(a), &table.set_of(a));
  SampleTable::record(table.set_of(a), a, 5);
  SampleTable::record(table.set_of(b), b, 6);
  EXPECT_EQ(SampleTable::find(table.set_of(a), a)->since(), 5u);
  EXPECT_EQ(SampleTable::find(table.set_of(b), b)->since(), 6u);
  // Keys spread over the sets: a thousand pages of a process use many.
  std::set<const SampleTable::Set*> used;
  for (uint64_t v = 0; v < 1000; ++v) used.insert(&table.set_of(SampleTable::key(0, v)));
  EXPECT_GT(used.size(), 800u);
}

}  // namespace
}  // namespace damon::sim
