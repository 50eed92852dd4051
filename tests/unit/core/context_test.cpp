#include "engine/core/context.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>

#include "core_fixture.h"
#include "engine/ops/registry.h"

namespace damon::test {
namespace {

constexpr int kPid = 42;
constexpr uint64_t kMmapStart = 0x7f0000000000;
constexpr uint64_t kStackStart = 0x7ffff0000000;

// End of the monitored part of the big mapping: the last region below the stack.
uint64_t mapping_end(const Context& ctx) {
  uint64_t end = 0;
  for (const Region& r : ctx.targets()[0].regions)
    if (r.ar.start < kStackStart) end = std::max(end, r.ar.end);
  return end;
}

class ContextTest : public ::testing::Test {
 protected:
  ContextTest() { machine.add_process(kPid, typical_layout(kMmapStart, kGiB)); }

  std::unique_ptr<Context> make(ContextParams p, uint64_t seed = 1) {
    auto ctx = std::make_unique<Context>(std::move(p), machine, clock, seed, make_operations);
    ctx->set_schemes_hook(&hook);
    return ctx;
  }

  ManualClock clock{1000000};
  OracleMachine machine{clock};
  RecordingHook hook;
};

TEST_F(ContextTest, StartRejectsInvalidParameters) {
  auto ctx = make(process_params(OpsId::vaddr, 7));
  EXPECT_EQ(ctx->start(), -EINVAL);
}

TEST_F(ContextTest, FvaddrMonitorsExactlyTheUserRegionsAligned) {
  ContextParams p = process_params(OpsId::fvaddr, kPid, {{0x400100, 0x500000}, {0x600000, 0x6fffff}});
  p.attrs.update_us = p.attrs.sample_us;  // an ops update every sample
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  ASSERT_EQ(ctx->targets().size(), 1u);
  const auto& rs = ctx->targets()[0].regions;
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].ar, (AddrRange{0x400000, 0x500000}));
  EXPECT_EQ(rs[1].ar, (AddrRange{0x600000, 0x700000}));
  for (int i = 0; i < 10; ++i) step(*ctx, clock);
  // Updates never bring in the process's other mappings.
  EXPECT_EQ(ctx->targets()[0].regions.front().ar.start, 0x400000u);
  EXPECT_EQ(ctx->targets()[0].regions.back().ar.end, 0x700000u);
  EXPECT_EQ(machine.calls().vmas, 0u);
}

TEST_F(ContextTest, VaddrStartsWithThreeRangesEvenlySplit) {
  auto ctx = make(process_params(OpsId::vaddr, kPid));
  ASSERT_EQ(ctx->start(), 0);
  const auto& rs = ctx->targets()[0].regions;
  // Ranges: [text, heap end), the 1 GiB mapping, the 8 MiB stack; unit =
  // total / min_nr_regions, so only the mapping is cut: into 9 pieces.
  const uint64_t heap_end = 0x1000000 + 64 * kMiB;
  const uint64_t total = (heap_end - 0x400000) + kGiB + 8 * kMiB;
  const uint64_t unit = total / 10;
  ASSERT_EQ(rs.size(), 1 + kGiB / unit + 1);
  EXPECT_EQ(rs.front().ar, (AddrRange{0x400000, heap_end}));
  EXPECT_EQ(rs[1].ar.start, kMmapStart);
  const uint64_t pieces = kGiB / unit;
  EXPECT_EQ(rs[1].size(), kGiB / pieces / kPageSize * kPageSize);
  EXPECT_EQ(rs[rs.size() - 2].ar.end, kMmapStart + kGiB);
  EXPECT_EQ(rs.back().ar, (AddrRange{0x7ffff0000000, 0x7ffff0800000}));
  for (size_t i = 1; i + 2 < rs.size(); ++i) EXPECT_EQ(rs[i].ar.end, rs[i + 1].ar.start);
}

TEST_F(ContextTest, VaddrUserRegionsAreOnlyInitial) {
  ContextParams p = process_params(OpsId::vaddr, kPid, {{kMmapStart, kMmapStart + kMiB}});
  p.attrs.update_us = 10 * p.attrs.sample_us;
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  ASSERT_EQ(ctx->targets()[0].regions.size(), 1u);
  for (int i = 0; i < 10; ++i) step(*ctx, clock);
  // The ops update installed the three ranges with "set regions".
  const auto& rs = ctx->targets()[0].regions;
  EXPECT_EQ(rs.front().ar.start, 0x400000u);
  EXPECT_EQ(rs.back().ar.end, 0x7ffff0800000u);
}

TEST_F(ContextTest, VaddrUpdateFollowsMappingChangesAtTheUpdateInterval) {
  ContextParams p = process_params(OpsId::vaddr, kPid);
  p.attrs.update_us = 1010000;  // every 202 samples, off the aggregation boundaries
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  machine.set_vmas(kPid, typical_layout(kMmapStart, 2 * kGiB));
  for (int i = 0; i < 201; ++i) step(*ctx, clock);
  const uint64_t vmas_calls = machine.calls().vmas;
  EXPECT_EQ(mapping_end(*ctx), kMmapStart + kGiB);
  const auto before = snapshot(*ctx);
  step(*ctx, clock);
  EXPECT_EQ(machine.calls().vmas, vmas_calls + 1);
  EXPECT_EQ(mapping_end(*ctx), kMmapStart + 2 * kGiB);
  // "Set regions" stretched the mapping's last region over the extension;
  // every other region kept its bounds and counters.
  const auto after = snapshot(*ctx);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    if (before[i].end == kMmapStart + kGiB) {
      EXPECT_EQ(after[i].start, before[i].start);
      EXPECT_EQ(after[i].end, kMmapStart + 2 * kGiB);
    } else {
      EXPECT_EQ(after[i].start, before[i].start);
      EXPECT_EQ(after[i].end, before[i].end);
    }
    EXPECT_EQ(after[i].age, before[i].age);
  }
}

TEST_F(ContextTest, PaddrScalesCoreAddressesByAddrUnit) {
  ContextParams p = paddr_params({{1 << 20, 2 << 20}});
  p.addr_unit = 4;
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  EXPECT_EQ(ctx->min_region_size(), 1024u);
  const auto& addrs = machine.calls().last_mkold_addrs;
  ASSERT_EQ(addrs.size(), 1u);
  EXPECT_EQ(machine.calls().last_mkold_pid, Space::kPhysical);
  EXPECT_GE(addrs[0], 4u << 20);
  EXPECT_LT(addrs[0], 8u << 20);
  EXPECT_EQ(addrs[0], ctx->targets()[0].regions[0].sampling_addr * 4);
}

TEST_F(ContextTest, PaddrWithoutRegionsMonitorsNothingAndNeverStops) {
  auto ctx = make(paddr_params({}));
  ASSERT_EQ(ctx->start(), 0);
  for (int i = 0; i < 100; ++i) step(*ctx, clock);
  EXPECT_EQ(ctx->nr_regions(), 0u);
  EXPECT_FALSE(ctx->targets_all_invalid());
  auto none = make(ContextParams{OpsId::paddr, 1, false, {}, {}, {}, {}});
  ASSERT_EQ(none->start(), 0);
  EXPECT_FALSE(none->targets_all_invalid());
}

TEST_F(ContextTest, VaddrWithoutTargetsIsAllInvalid) {
  ContextParams p;
  p.ops = OpsId::vaddr;
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  EXPECT_TRUE(ctx->targets_all_invalid());
}

TEST_F(ContextTest, MkoldAndYoungAreBatchedPerTargetOnTheSameAddresses) {
  machine.add_process(43, typical_layout(kMmapStart, kGiB));
  ContextParams p = process_params(OpsId::vaddr, kPid);
  p.targets.push_back({43, false, {}});
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  EXPECT_EQ(machine.calls().mkold, 2u);
  std::vector<uint64_t> expected;
  for (const Region& r : ctx->targets()[1].regions) {
    EXPECT_GE(r.sampling_addr, r.ar.start);
    EXPECT_LT(r.sampling_addr, r.ar.end);
    expected.push_back(r.sampling_addr);
  }
  EXPECT_EQ(machine.calls().last_mkold_addrs, expected);
  step(*ctx, clock);
  EXPECT_EQ(machine.calls().young, 2u);
  EXPECT_EQ(machine.calls().mkold, 4u);
}

TEST_F(ContextTest, AggregationCountsAccessedSamples) {
  // Two regions: one always accessed, one never.
  ContextParams p = process_params(OpsId::fvaddr, kPid, {{0x400000, 0x500000}, {0x600000, 0x700000}});
  machine.set_oracle(hot_ranges({{0x400000, 0x500000}}));
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  ASSERT_EQ(ctx->samples_per_aggregation(), 20u);
  std::vector<std::pair<uint32_t, uint32_t>> seen;
  hook.on_aggregation = [&](Context& c) {
    for (const Region& r : c.targets()[0].regions) {
      EXPECT_EQ(r.nr_accesses_bp, r.nr_accesses * 10000);
      if (r.ar.start < 0x500000) EXPECT_EQ(r.nr_accesses, 20u);
      else EXPECT_EQ(r.nr_accesses, 0u);
    }
  };
  for (int i = 0; i < 19; ++i) step(*ctx, clock);
  EXPECT_EQ(hook.aggregations, 0u);
  EXPECT_EQ(ctx->targets()[0].regions[0].nr_accesses, 19u);
  step(*ctx, clock);
  EXPECT_EQ(hook.aggregations, 1u);
  EXPECT_EQ(ctx->passed_samples(), 20u);
  // After the reset: the count moved to last_nr_accesses.
  for (const Region& r : ctx->targets()[0].regions) {
    EXPECT_EQ(r.nr_accesses, 0u);
    EXPECT_EQ(r.last_nr_accesses, r.ar.start < 0x500000 ? 20u : 0u);
  }
  run_aggregations(*ctx, clock, hook, 5);
  EXPECT_EQ(hook.applies, 6u * 20);
}

TEST_F(ContextTest, SmoothedCountFallsGraduallyWhenAccessesStop) {
  ContextParams p = process_params(OpsId::fvaddr, kPid, {{0x400000, 0x401000}});
  bool hot = true;
  machine.set_oracle([&](Space, uint64_t, uint64_t, uint64_t) { return hot; });
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  run_aggregations(*ctx, clock, hook, 1);
  const Region& r = ctx->targets()[0].regions[0];
  EXPECT_EQ(r.nr_accesses_bp, 200000u);
  hot = false;
  for (int i = 1; i <= 5; ++i) {
    step(*ctx, clock);
    EXPECT_EQ(r.nr_accesses_bp, 200000u - i * 10000u);  // drops last / W per sample
    EXPECT_EQ(r.nr_accesses, 0u);
  }
}

TEST_F(ContextTest, AgeCountsStableAggregations) {
  ContextParams p = process_params(OpsId::fvaddr, kPid, {{0x400000, 0x401000}});
  machine.set_oracle(hot_ranges({{0x400000, 0x401000}}));
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  std::vector<uint32_t> ages;
  hook.on_aggregation = [&](Context& c) { ages.push_back(c.targets()[0].regions[0].age); };
  run_aggregations(*ctx, clock, hook, 4);
  // First aggregation: 0 -> 20 accesses resets the age; then it grows.
  EXPECT_EQ(ages, (std::vector<uint32_t>{0, 1, 2, 3}));
}

TEST_F(ContextTest, NrRegionsStayWithinBoundsAtEveryAggregation) {
  for (const auto& [min, max] : {std::pair<uint64_t, uint64_t>{10, 1000}, {50, 100}, {3, 12}}) {
    RecordingHook h;
    ContextParams p = process_params(OpsId::vaddr, kPid);
    p.attrs.min_nr_regions = min;
    p.attrs.max_nr_regions = max;
    // A varied pattern: three hot spots of different sizes.
    machine.set_oracle(hot_ranges({{kMmapStart + 100 * kMiB, kMmapStart + 150 * kMiB},
                                   {kMmapStart + 400 * kMiB, kMmapStart + 401 * kMiB},
                                   {kMmapStart + 700 * kMiB, kMmapStart + 900 * kMiB}}));
    Context ctx(p, machine, clock, 7, make_operations);
    ctx.set_schemes_hook(&h);
    ASSERT_EQ(ctx.start(), 0);
    uint64_t after_split_max = 0;
    while (h.aggregations < 200) {
      step(ctx, clock);
      after_split_max = std::max(after_split_max, ctx.nr_regions());
    }
    for (uint64_t n : h.nr_regions_at_boundary) {
      EXPECT_GE(n, min) << min << "/" << max;
      EXPECT_LE(n, max) << min << "/" << max;
    }
    EXPECT_LE(after_split_max, max);
  }
}

TEST_F(ContextTest, MergeRepeatsWithLargerThresholdWhenOverMax) {
  ContextParams p = process_params(OpsId::vaddr, kPid);
  p.attrs.min_nr_regions = 3;
  // Every page different: a checkerboard of hot and cold 4 MiB blocks keeps
  // many regions apart at the normal threshold.
  machine.set_oracle([](Space, uint64_t addr, uint64_t, uint64_t) { return (addr >> 22) % 2 == 0; });
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  run_aggregations(*ctx, clock, hook, 30);
  ASSERT_GT(ctx->nr_regions(), 100u);
  ContextParams lower = ctx->params();
  lower.attrs.max_nr_regions = 20;
  ASSERT_EQ(ctx->commit(lower), 0);
  run_aggregations(*ctx, clock, hook, 1);
  EXPECT_LE(hook.nr_regions_at_boundary.back(), 20u);
}

TEST_F(ContextTest, DeadProcessCountsAsNotAccessedAndStopsTheContext) {
  machine.add_process(43, typical_layout(kMmapStart, kGiB));
  ContextParams p = process_params(OpsId::fvaddr, kPid, {{0x400000, 0x500000}});
  p.targets.push_back({43, false, {{0x400000, 0x500000}}});
  machine.set_oracle(hot_ranges({{0x400000, 0x500000}}));
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  for (int i = 0; i < 10; ++i) step(*ctx, clock);
  machine.kill(43);
  const uint64_t mkolds = machine.calls().mkold;
  run_aggregations(*ctx, clock, hook, 1);
  EXPECT_EQ(ctx->targets()[0].regions[0].last_nr_accesses, 20u);
  EXPECT_EQ(ctx->targets()[1].regions[0].last_nr_accesses, 10u);  // the samples before the kill
  EXPECT_TRUE(ctx->targets()[0].valid);
  EXPECT_FALSE(ctx->targets()[1].valid);
  // Only the live target is still sampled.
  EXPECT_EQ(machine.calls().mkold - mkolds, 10u);
  EXPECT_FALSE(ctx->targets_all_invalid());
  machine.kill(kPid);
  step(*ctx, clock);
  EXPECT_TRUE(ctx->targets_all_invalid());
}

TEST_F(ContextTest, WatermarkWaitPausesSampling) {
  auto ctx = make(paddr_params({{0, kGiB}}));
  ASSERT_EQ(ctx->start(), 0);
  EXPECT_EQ(ctx->next_sleep_us(), 5000u);
  clock.advance(2000);
  EXPECT_EQ(ctx->next_sleep_us(), 3000u);
  EXPECT_EQ(ctx->next_deadline_us(), clock.now_us() + 3000);
  step(*ctx, clock);
  hook.wait_us = 1000000;
  const uint64_t mkolds = machine.calls().mkold;
  step(*ctx, clock);  // finishes the running sample, then gates
  EXPECT_EQ(ctx->next_sleep_us(), 1000000u);
  const uint64_t passed = ctx->passed_samples();
  const uint64_t applies = hook.applies;
  for (int i = 0; i < 5; ++i) step(*ctx, clock);
  EXPECT_EQ(ctx->passed_samples(), passed);
  EXPECT_EQ(hook.applies, applies);
  EXPECT_EQ(machine.calls().mkold, mkolds);
  hook.wait_us = 0;
  step(*ctx, clock);  // re-checks and prepares a sample
  EXPECT_EQ(ctx->next_sleep_us(), 5000u);
  step(*ctx, clock);
  EXPECT_EQ(ctx->passed_samples(), passed + 1);
}

TEST_F(ContextTest, PausedContextDoesNotSample) {
  ContextParams p = paddr_params({{0, kGiB}});
  p.pause = true;
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  for (int i = 0; i < 10; ++i) step(*ctx, clock);
  EXPECT_EQ(ctx->passed_samples(), 0u);
  EXPECT_EQ(machine.calls().mkold, 0u);
  p.pause = false;
  ASSERT_EQ(ctx->commit(p), 0);
  step(*ctx, clock);
  step(*ctx, clock);
  EXPECT_EQ(ctx->passed_samples(), 1u);
}

TEST_F(ContextTest, ZeroIntervalsStillProgress) {
  ContextParams p = paddr_params({{0, kGiB}});
  p.attrs.sample_us = p.attrs.aggr_us = p.attrs.update_us = 0;
  auto ctx = make(p);
  ASSERT_EQ(ctx->start(), 0);
  EXPECT_EQ(ctx->next_sleep_us(), 0u);
  for (int i = 0; i < 50; ++i) step(*ctx, clock);
  // Every sample ends an aggregation.
  EXPECT_EQ(hook.aggregations, 50u);
  EXPECT_LE(ctx->nr_regions(), 1000u);
}

}  // namespace
}  // namespace damon::test
