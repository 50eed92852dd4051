#include "engine/damos/quota.h"

#include <gtest/gtest.h>

#include "engine/machine/machine.h"

namespace damon {
namespace {

Quota bytes_quota(uint64_t bytes, uint64_t reset_ms) {
  Quota q;
  q.bytes = bytes;
  q.reset_interval_ms = reset_ms;
  return q;
}

Region region(uint64_t start, uint64_t end) {
  Region r;
  r.ar = {start, end};
  return r;
}

TEST(Quota, ConfiguredOnlyWithALimitOrAGoal) {
  EXPECT_FALSE(QuotaState::configured(Quota{}));
  Quota q;
  q.reset_interval_ms = 1000;  // a window alone is no limit
  EXPECT_FALSE(QuotaState::configured(q));
  q.ms = 1;
  EXPECT_TRUE(QuotaState::configured(q));
  q = Quota{};
  q.goals.emplace_back();
  q.goals.back().target_value = 1;
  EXPECT_TRUE(QuotaState::configured(q));
}

TEST(Quota, FirstWindowStartsAtOnceThenEveryResetInterval) {
  QuotaState st;
  EXPECT_TRUE(st.roll_window(5000, 100).started);
  EXPECT_FALSE(st.roll_window(5099, 100).started);
  EXPECT_TRUE(st.roll_window(5100, 100).started);
  // Windows start at due rounds, not on a fixed grid.
  EXPECT_FALSE(st.roll_window(5250 - 51, 100).started);
  EXPECT_TRUE(st.roll_window(5250, 100).started);
  EXPECT_FALSE(st.roll_window(5349, 100).started);
}

TEST(Quota, SizeQuotaChargesAndResets) {
  const Quota q = bytes_quota(10 * kPageSize, 1000);
  QuotaState st;
  ASSERT_TRUE(st.roll_window(0, q.reset_interval_ms).started);
  st.update_esz(q, 0, kPageSize);
  EXPECT_EQ(st.esz(), 10 * kPageSize);

  EXPECT_EQ(st.fit(4 * kPageSize, kPageSize), 4 * kPageSize);
  st.charge(q, 4 * kPageSize, 4 * kPageSize, 0);
  EXPECT_EQ(st.charged(), 4 * kPageSize);
  // 6 pages left: a 9.5 page region is cut to the remaining whole pages.
  EXPECT_EQ(st.fit(9 * kPageSize + 2048, kPageSize), 6 * kPageSize);
  st.charge(q, 6 * kPageSize, 0, 0);
  EXPECT_TRUE(st.exhausted());
  EXPECT_EQ(st.fit(kPageSize, kPageSize), 0u);

  const QuotaState::WindowChange next = st.roll_window(1000, q.reset_interval_ms);
  EXPECT_TRUE(next.started);
  EXPECT_TRUE(next.exceeded);
  EXPECT_EQ(st.charged(), 0u);
  EXPECT_FALSE(st.exhausted());
  EXPECT_FALSE(st.roll_window(2000, q.reset_interval_ms).exceeded);
}

TEST(Quota, LessThanOneMinRegionLeftFitsNothing) {
  const Quota q = bytes_quota(kPageSize + 100, 1000);
  QuotaState st;
  st.roll_window(0, 1000);
  st.update_esz(q, 0, kPageSize);
  st.charge(q, kPageSize, kPageSize, 0);
  EXPECT_FALSE(st.exhausted());
  EXPECT_EQ(st.fit(kPageSize, kPageSize), 0u);
}

TEST(Quota, NoLimitWithoutEsz) {
  QuotaState st;
  EXPECT_EQ(st.esz(), 0u);
  EXPECT_EQ(st.fit(1ULL << 40, kPageSize), 1ULL << 40);
  st.charge(Quota{}, 1ULL << 40, 0, 0);
  EXPECT_FALSE(st.exhausted());
}

TEST(Quota, TimeQuotaUsesThroughput) {
  Quota q;
  q.ms = 10;
  q.reset_interval_ms = 1000;
  QuotaState st;
  st.roll_window(0, 1000);
  st.update_esz(q, 0, kPageSize);
  // Before any charge: 4 MiB per ms.
  EXPECT_EQ(st.esz(), 10 * kPageSize * 1024);
  // 1 MiB in 2 ms of work -> 512 KiB/ms -> 5 MiB for 10 ms.
  st.charge(q, 1 << 20, 1 << 20, 2000);
  st.roll_window(1000, 1000);
  st.update_esz(q, 0, kPageSize);
  EXPECT_EQ(st.esz(), 5u << 20);
  // A size quota below that wins.
  q.bytes = 1 << 20;
  st.update_esz(q, 0, kPageSize);
  EXPECT_EQ(st.esz(), 1u << 20);
}

TEST(Quota, TimeQuotaNeverBelowOneRegion) {
  Quota q;
  q.ms = 1;
  QuotaState st;
  st.roll_window(0, 0);
  st.update_esz(q, 0, kPageSize);
  // One page charged over 10 s of work: under one byte per ms.
  st.charge(q, kPageSize, kPageSize, 10000000);
  st.roll_window(1, 0);
  st.update_esz(q, 0, kPageSize);
  EXPECT_EQ(st.esz(), kPageSize);
}

TEST(Quota, LimitStartsWithTheFirstWindow) {
  const Quota q = bytes_quota(kPageSize, 100);
  QuotaState st;
  EXPECT_FALSE(st.limited());
  st.roll_window(0, 100);
  st.update_esz(q, 0, kPageSize);
  EXPECT_TRUE(st.limited());
}

TEST(Quota, FailedBytesChargedAtConfiguredRatio) {
  Quota q = bytes_quota(1 << 30, 1000);
  q.fail_charge_num = 1;
  q.fail_charge_denom = 4;
  QuotaState st;
  st.roll_window(0, 1000);
  st.update_esz(q, 0, kPageSize);
  st.charge(q, 8 * kPageSize, 4 * kPageSize, 0);
  EXPECT_EQ(st.charged(), 4 * kPageSize + kPageSize);
  // More applied than the region (a large folio): charge the region.
  st.charge(q, kPageSize, 4 * kPageSize, 0);
  EXPECT_EQ(st.charged(), 6 * kPageSize);
  // Without denom every tried byte is charged.
  q.fail_charge_denom = 0;
  st.charge(q, 8 * kPageSize, 0, 0);
  EXPECT_EQ(st.charged(), 14 * kPageSize);
}

TEST(Quota, ResumesAfterTheStopPoint) {
  const Quota q = bytes_quota(2 * kPageSize, 100);
  QuotaState st;
  st.roll_window(0, 100);
  st.update_esz(q, 0, kPageSize);
  st.charge(q, 2 * kPageSize, 2 * kPageSize, 0);
  st.note_stop(1, 0x5000);
  ASSERT_TRUE(st.exhausted());

  st.roll_window(100, 100);
  // Other targets are skipped while resuming.
  EXPECT_TRUE(st.resume(0, region(0x0, 0x1000), false, kPageSize).skip);
  // Regions ending at or before the stop point are skipped.
  EXPECT_TRUE(st.resume(1, region(0x3000, 0x5000), false, kPageSize).skip);
  // A region straddling it is split there; work continues after it.
  const QuotaState::Resume r = st.resume(1, region(0x4000, 0x8000), false, kPageSize);
  EXPECT_FALSE(r.skip);
  EXPECT_EQ(r.split_at, 0x1000u);
  // Resumed: normal order from here.
  EXPECT_FALSE(st.resume(0, region(0x0, 0x1000), false, kPageSize).skip);
}

TEST(Quota, ResumeEndsAtTheStopTargetsLastRegion) {
  const Quota q = bytes_quota(kPageSize, 100);
  QuotaState st;
  st.roll_window(0, 100);
  st.update_esz(q, 0, kPageSize);
  st.charge(q, kPageSize, kPageSize, 0);
  st.note_stop(0, 0x9000);
  st.roll_window(100, 100);
  EXPECT_TRUE(st.resume(0, region(0x9000, 0xa000), true, kPageSize).skip);
  EXPECT_FALSE(st.resume(1, region(0x0, 0x1000), false, kPageSize).skip);
}

TEST(Quota, NoStopPointUntilExhausted) {
  const Quota q = bytes_quota(4 * kPageSize, 100);
  QuotaState st;
  st.roll_window(0, 100);
  st.update_esz(q, 0, kPageSize);
  st.charge(q, kPageSize, kPageSize, 0);
  st.note_stop(0, 0x1000);
  EXPECT_FALSE(st.resume(1, region(0x0, 0x1000), false, kPageSize).skip);
}

TEST(Quota, StopPointInAVanishedTargetIsDropped) {
  const Quota q = bytes_quota(kPageSize, 100);
  QuotaState st;
  st.roll_window(0, 100);
  st.update_esz(q, 0, kPageSize);
  st.charge(q, kPageSize, kPageSize, 0);
  st.note_stop(2, 0x1000);
  st.drop_stop_beyond(2);
  EXPECT_FALSE(st.resume(0, region(0x0, 0x1000), false, kPageSize).skip);
}

}  // namespace
}  // namespace damon
