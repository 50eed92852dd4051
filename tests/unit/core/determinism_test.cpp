// Same seed, same regions: kdamonds are reproducible and independent.
#include <gtest/gtest.h>

#include "core_fixture.h"
#include "engine/core/context.h"
#include "engine/ops/registry.h"

namespace damon::test {
namespace {

constexpr int kPid = 42;
constexpr uint64_t kMmap = 0x7f0000000000;

// A moving pattern so that regions keep splitting and merging.
OracleMachine::Oracle moving_hot_spot(const Clock& clock) {
  return [&clock](Space, uint64_t addr, uint64_t, uint64_t) {
    const uint64_t second = clock.now_us() / 1000000;
    const uint64_t start = kMmap + (second % 8) * 128 * kMiB;
    return addr >= start && addr < start + 96 * kMiB;
  };
}

struct Monitor {
  explicit Monitor(uint64_t seed) : ctx(params(), machine, clock, seed, make_operations) {
    ctx.set_schemes_hook(&hook);
  }
  static ContextParams params() {
    ContextParams p = process_params(OpsId::vaddr, kPid);
    p.attrs.max_nr_regions = 200;
    return p;
  }
  void start() {
    machine.add_process(kPid, typical_layout(kMmap, kGiB));
    machine.set_oracle(moving_hot_spot(clock));
    ASSERT_EQ(ctx.start(), 0);
  }
  ManualClock clock{0};
  OracleMachine machine{clock};
  RecordingHook hook;
  Context ctx;
};

TEST(Determinism, SameSeedSameRegionsOverAThousandAggregations) {
  Monitor a(11), b(11);
  a.start();
  b.start();
  for (int round = 0; round < 10; ++round) {
    run_aggregations(a.ctx, a.clock, a.hook, 100);
    run_aggregations(b.ctx, b.clock, b.hook, 100);
    ASSERT_EQ(snapshot(a.ctx), snapshot(b.ctx)) << "after " << a.hook.aggregations;
  }
  EXPECT_EQ(a.hook.aggregations, 1000u);
  EXPECT_EQ(a.ctx.passed_samples(), 20000u);
  EXPECT_EQ(a.clock.now_us(), 20000u * 5000);  // 100 s of virtual time
  EXPECT_GT(a.ctx.nr_regions(), 10u);
}

TEST(Determinism, DifferentSeedsGiveDifferentRegions) {
  Monitor a(11), b(12);
  a.start();
  b.start();
  run_aggregations(a.ctx, a.clock, a.hook, 20);
  run_aggregations(b.ctx, b.clock, b.hook, 20);
  EXPECT_NE(snapshot(a.ctx), snapshot(b.ctx));
}

TEST(Determinism, ContextsDoNotInfluenceEachOther) {
  // A alone, then A again while B (another seed and layout) runs in
  // lock-step: A's regions must not change, whatever B splits.
  Monitor alone(21), a(21), b(99);
  alone.start();
  a.start();
  b.start();
  b.machine.set_vmas(kPid, typical_layout(kMmap, 3 * kGiB));
  run_aggregations(alone.ctx, alone.clock, alone.hook, 100);
  while (a.hook.aggregations < 100) {
    step(a.ctx, a.clock);
    step(b.ctx, b.clock);
  }
  EXPECT_EQ(snapshot(alone.ctx), snapshot(a.ctx));
}

}  // namespace
}  // namespace damon::test
