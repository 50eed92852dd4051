#include <gtest/gtest.h>

#include <cerrno>

#include "core_fixture.h"
#include "engine/core/context.h"
#include "engine/ops/registry.h"

namespace damon::test {
namespace {

constexpr AddrRange kText{0x400000, 0x600000};

class CommitTest : public ::testing::Test {
 protected:
  CommitTest() {
    for (int pid : {42, 43, 44}) machine.add_process(pid, typical_layout(0x7f0000000000, kGiB));
    machine.set_oracle(hot_ranges({{0x400000, 0x500000}}));
  }

  std::unique_ptr<Context> started(ContextParams p) {
    auto ctx = std::make_unique<Context>(std::move(p), machine, clock, 3, make_operations);
    ctx->set_schemes_hook(&hook);
    EXPECT_EQ(ctx->start(), 0);
    return ctx;
  }

  static ContextParams fvaddr(std::vector<int> pids) {
    ContextParams p;
    p.ops = OpsId::fvaddr;
    for (int pid : pids) p.targets.push_back({pid, false, {kText}});
    return p;
  }

  ManualClock clock;
  OracleMachine machine{clock};
  RecordingHook hook;
};

TEST_F(CommitTest, NeedsAStartedContext) {
  Context ctx(fvaddr({42}), machine, clock, 1, make_operations);
  EXPECT_EQ(ctx.commit(fvaddr({42})), -EINVAL);
}

TEST_F(CommitTest, FailureLeavesEverythingAsItWas) {
  auto ctx = started(fvaddr({42, 43}));
  run_aggregations(*ctx, clock, hook, 5);
  const auto regions = snapshot(*ctx);
  const uint64_t generation = ctx->attrs_generation();

  ContextParams bad = fvaddr({44});
  bad.attrs.min_nr_regions = 2;
  EXPECT_EQ(ctx->commit(bad), -EINVAL);
  ContextParams dead = fvaddr({44, 45});
  EXPECT_EQ(ctx->commit(dead), -EINVAL);

  EXPECT_EQ(snapshot(*ctx), regions);
  EXPECT_EQ(ctx->targets().size(), 2u);
  EXPECT_EQ(ctx->targets()[0].pid, 42);
  EXPECT_EQ(ctx->params().targets.size(), 2u);
  EXPECT_EQ(ctx->attrs_generation(), generation);
}

TEST_F(CommitTest, TargetsByIndexPidReplacedRegionsKeptWithoutUserRegions) {
  auto ctx = started(fvaddr({42, 43}));
  run_aggregations(*ctx, clock, hook, 5);
  const auto regions = snapshot(*ctx);
  ContextParams p = fvaddr({44, 43});
  for (TargetParams& t : p.targets) t.regions.clear();
  ASSERT_EQ(ctx->commit(p), 0);
  ASSERT_EQ(ctx->targets().size(), 2u);
  EXPECT_EQ(ctx->targets()[0].pid, 44);
  EXPECT_EQ(ctx->targets()[1].pid, 43);
  EXPECT_EQ(snapshot(*ctx), regions);
}

TEST_F(CommitTest, UserRegionsAreSetKeepingCountersInside) {
  auto ctx = started(fvaddr({42}));
  run_aggregations(*ctx, clock, hook, 10);
  const std::vector<Region> before = ctx->targets()[0].regions;
  ASSERT_GT(before.size(), 2u);

  // Keep the second half of the text mapping, add a range nothing covered.
  const uint64_t cut = before[1].ar.start;
  ContextParams p = fvaddr({42});
  p.targets[0].regions = {{cut, kText.end}, {0x1000000, 0x1001000}};
  ASSERT_EQ(ctx->commit(p), 0);
  const auto& after = ctx->targets()[0].regions;
  ASSERT_EQ(after.size(), before.size());  // before[0] dropped, one fresh region added
  for (size_t i = 1; i < before.size(); ++i) {
    EXPECT_EQ(after[i - 1].ar, before[i].ar);
    EXPECT_EQ(after[i - 1].age, before[i].age);
    EXPECT_EQ(after[i - 1].last_nr_accesses, before[i].last_nr_accesses);
  }
  EXPECT_EQ(after.back().ar, (AddrRange{0x1000000, 0x1001000}));
  EXPECT_EQ(after.back().age, 0u);
  EXPECT_EQ(after.back().last_nr_accesses, 0u);
}

TEST_F(CommitTest, ExtraTargetsRemovedOrAdded) {
  auto ctx = started(fvaddr({42, 43}));
  ASSERT_EQ(ctx->commit(fvaddr({43})), 0);
  ASSERT_EQ(ctx->targets().size(), 1u);
  EXPECT_EQ(ctx->targets()[0].pid, 43);

  ASSERT_EQ(ctx->commit(fvaddr({43, 44, 42})), 0);
  ASSERT_EQ(ctx->targets().size(), 3u);
  EXPECT_EQ(ctx->targets()[2].pid, 42);
  EXPECT_EQ(ctx->targets()[2].regions.size(), 1u);
  // The sample in flight was prepared again, so the new target is checked
  // on an address that was cleared in its own address space.
  EXPECT_EQ(machine.calls().last_mkold_pid, 42);
  ASSERT_EQ(machine.calls().last_mkold_addrs.size(), 1u);
  EXPECT_EQ(machine.calls().last_mkold_addrs[0], ctx->targets()[2].regions[0].sampling_addr);
  // Wherever the sample fell, the check that follows counts its access.
  machine.set_oracle(hot_ranges({kText}));
  step(*ctx, clock);
  EXPECT_EQ(ctx->targets()[2].regions[0].nr_accesses, 1u);
}

TEST_F(CommitTest, ObsoleteTargetIsRemovedAndLaterOnesShift) {
  auto ctx = started(fvaddr({42, 43, 44}));
  ContextParams p = fvaddr({42, 43, 44});
  p.targets[1].obsolete = true;
  p.targets[2].regions.clear();
  ASSERT_EQ(ctx->commit(p), 0);
  ASSERT_EQ(ctx->targets().size(), 2u);
  EXPECT_EQ(ctx->targets()[0].pid, 42);
  EXPECT_EQ(ctx->targets()[1].pid, 44);
}

TEST_F(CommitTest, ObsoleteTargetWithoutRunningCounterpartFails) {
  auto ctx = started(fvaddr({42}));
  ContextParams p = fvaddr({42, 43});
  p.targets[1].obsolete = true;
  EXPECT_EQ(ctx->commit(p), -EINVAL);
  EXPECT_EQ(ctx->targets().size(), 1u);
}

TEST_F(CommitTest, IntervalsChangeMidAggregationRescalesThePreviousCount) {
  auto ctx = started(fvaddr({42}));
  ContextParams p = fvaddr({42});
  p.targets[0].regions = {{0x400000, 0x401000}};  // one always-hot page
  ASSERT_EQ(ctx->commit(p), 0);
  run_aggregations(*ctx, clock, hook, 5);
  for (int i = 0; i < 5; ++i) step(*ctx, clock);
  const Region before = ctx->targets()[0].regions[0];
  ASSERT_EQ(before.last_nr_accesses, 20u);
  ASSERT_EQ(before.nr_accesses, 5u);
  ASSERT_EQ(before.age, 4u);
  const uint64_t generation = ctx->attrs_generation();

  p.attrs.aggr_us = 200000;  // 40 samples per aggregation
  ASSERT_EQ(ctx->commit(p), 0);
  const Region& r = ctx->targets()[0].regions[0];
  EXPECT_EQ(r.last_nr_accesses, 40u);
  EXPECT_EQ(r.nr_accesses, 0u);  // the partial aggregation is dropped
  EXPECT_EQ(r.nr_accesses_bp, 400000u);
  EXPECT_EQ(r.age, 2u);  // 4 x 100 ms / 200 ms
  EXPECT_EQ(ctx->attrs_generation(), generation + 1);
  EXPECT_EQ(ctx->samples_per_aggregation(), 40u);

  // The new aggregation restarts now and lasts 40 samples.
  const uint64_t aggregations = hook.aggregations;
  for (int i = 0; i < 40; ++i) step(*ctx, clock);
  EXPECT_EQ(hook.aggregations, aggregations + 1);
  EXPECT_EQ(ctx->targets()[0].regions[0].last_nr_accesses, 40u);
}

TEST_F(CommitTest, IntervalsChangeAtTheBoundaryRescalesTheFinishedCount) {
  auto ctx = started(fvaddr({42}));
  ContextParams p = fvaddr({42});
  p.targets[0].regions = {{0x400000, 0x401000}};
  ASSERT_EQ(ctx->commit(p), 0);
  run_aggregations(*ctx, clock, hook, 3);
  p.attrs.aggr_us = 50000;  // 10 samples
  hook.on_aggregation = [&](Context& c) {
    ASSERT_EQ(c.commit(p), 0);
    EXPECT_EQ(c.targets()[0].regions[0].nr_accesses, 10u);
    hook.on_aggregation = nullptr;
  };
  run_aggregations(*ctx, clock, hook, 1);
  EXPECT_EQ(ctx->targets()[0].regions[0].last_nr_accesses, 10u);
  // The boundary read at the start of that iteration still applied; the
  // next aggregation is 10 samples long.
  const uint64_t aggregations = hook.aggregations;
  for (int i = 0; i < 10; ++i) step(*ctx, clock);
  EXPECT_EQ(hook.aggregations, aggregations + 1);
}

TEST_F(CommitTest, UnchangedAttributesAreNotReapplied) {
  auto ctx = started(fvaddr({42}));
  run_aggregations(*ctx, clock, hook, 2);
  for (int i = 0; i < 3; ++i) step(*ctx, clock);
  const uint64_t generation = ctx->attrs_generation();
  const auto regions = snapshot(*ctx);
  ContextParams p = fvaddr({42});
  p.targets[0].regions.clear();
  ASSERT_EQ(ctx->commit(p), 0);
  EXPECT_EQ(ctx->attrs_generation(), generation);
  EXPECT_EQ(snapshot(*ctx), regions);  // the partial aggregation survives
}

TEST_F(CommitTest, OperationsSetCanChange) {
  ContextParams p;
  p.ops = OpsId::vaddr;
  p.targets.push_back({42, false, {}});
  p.attrs.update_us = p.attrs.sample_us;
  auto ctx = started(p);
  const auto regions = snapshot(*ctx);
  p.ops = OpsId::fvaddr;
  ASSERT_EQ(ctx->commit(p), 0);
  EXPECT_EQ(snapshot(*ctx), regions);
  const uint64_t vmas_calls = machine.calls().vmas;
  for (int i = 0; i < 5; ++i) step(*ctx, clock);
  EXPECT_EQ(machine.calls().vmas, vmas_calls);  // fvaddr has no ops update
}

}  // namespace
}  // namespace damon::test
