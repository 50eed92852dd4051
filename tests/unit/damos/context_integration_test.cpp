// Schemes plugged into a real monitoring Context (sampling, aggregation,
// split/merge on the fake machine), stepped on a ManualClock.
#include <gtest/gtest.h>

#include "engine/core/context.h"
#include "engine/damos/schemes.h"
#include "engine/ops/registry.h"
#include "tests/support/folio_machine.h"

namespace damon {
namespace {

using test::FakeFolio;

constexpr uint64_t kMiB = 1 << 20;

SchemeParams hot_scheme(Action action) {
  SchemeParams p;
  p.action = action;
  p.pattern = {.min_sz = 0,
               .max_sz = ~0ULL,
               .min_nr_accesses = 1,
               .max_nr_accesses = ~0ULL,
               .min_age = 0,
               .max_age = ~0ULL};
  return p;
}

class ContextIntegration : public ::testing::Test {
 protected:
  void start(ContextParams params) {
    ctx = std::make_unique<Context>(std::move(params), machine, clock, 42, make_operations);
    ASSERT_EQ(ctx->start(), 0);
    schemes = std::make_unique<Schemes>(ctx->params().schemes, view_of(*ctx));
    ctx->set_schemes_hook(schemes.get());
  }

  // Runs the loop for `n` aggregation intervals of the current attributes.
  void run_aggregations(uint64_t n) {
    const uint64_t samples = n * ctx->samples_per_aggregation();
    for (uint64_t i = 0; i < samples; ++i) {
      clock.advance(ctx->next_sleep_us());
      ctx->iterate();
    }
  }

  test::FolioMachine machine;
  ManualClock clock{1000000};
  std::unique_ptr<Context> ctx;
  std::unique_ptr<Schemes> schemes;
};

TEST_F(ContextIntegration, PhysicalMigrateHotMovesTheHotSet) {
  machine.add_node(0, 1ULL << 30);
  machine.add_node(1, 1ULL << 30);
  const uint64_t base = 4ULL << 30;
  machine.place(Space::phys(), base, base + 16 * kMiB, FakeFolio{.hot = true});
  machine.place(Space::phys(), base + 16 * kMiB, base + 64 * kMiB, FakeFolio{});
  ContextParams p;
  p.ops = OpsId::paddr;
  p.targets.push_back(TargetParams{0, false, {{base, base + 64 * kMiB}}});
  SchemeParams migrate = hot_scheme(Action::migrate_hot);
  migrate.target_nid = 1;
  // Only regions whose access rate held for a while: the first coarse
  // regions mix hot and cold pages.
  migrate.pattern.min_age = 10;
  p.schemes = {migrate};
  start(p);

  run_aggregations(100);
  const uint64_t on_node1 = machine.bytes_on_node(Space::phys(), 1);
  EXPECT_GE(on_node1, 16 * kMiB);
  // Only regions straddling the hot/cold boundary may drag cold pages along.
  EXPECT_LE(on_node1, 20 * kMiB) << on_node1;
  for (uint64_t a = base; a < base + 16 * kMiB; a += kPageSize)
    ASSERT_EQ(machine.folio(Space::phys(), a).node, 1) << std::hex << a;
  EXPECT_GT(schemes->stats()[0].nr_applied, 0u);
  EXPECT_EQ(schemes->stats()[0].sz_applied, on_node1);
}

TEST_F(ContextIntegration, VirtualInterleaveBalancesAndSettles) {
  constexpr int kPid = 4242;
  const uint64_t map_start = 0x7f0000000000;
  const uint64_t map_size = 64 * kMiB;
  machine.add_node(0, 1ULL << 30);
  machine.add_node(1, 1ULL << 30);
  auto add = [&](uint64_t start, uint64_t end) {
    Vma v;
    v.start = start;
    v.end = end;
    v.pgoff = start / kPageSize;
    machine.add_vma(kPid, v);
  };
  add(0x400000, 0x600000);
  add(0x1000000, 0x2000000);
  add(map_start, map_start + map_size);
  add(0x7ffff0000000, 0x7ffff0800000);
  machine.place(Space::process(kPid), map_start, map_start + map_size, FakeFolio{.hot = true});

  ContextParams p;
  p.ops = OpsId::vaddr;
  p.targets.push_back(TargetParams{kPid, false, {}});
  SchemeParams interleave = hot_scheme(Action::migrate_hot);
  interleave.dests = {{0, 1}, {1, 1}};
  p.schemes = {interleave};
  start(p);

  run_aggregations(50);
  EXPECT_EQ(machine.bytes_on_node(Space::process(kPid), 0), map_size / 2);
  EXPECT_EQ(machine.bytes_on_node(Space::process(kPid), 1), map_size / 2);
  const uint64_t migrations = machine.migrations();
  run_aggregations(20);
  EXPECT_EQ(machine.migrations(), migrations);  // balanced: nothing moves back and forth

  // New weights by commit: only the pages whose node changed move.
  interleave.dests = {{0, 3}, {1, 1}};
  p.schemes = {interleave};
  ASSERT_EQ(ctx->commit(p), 0);
  schemes->commit(p.schemes, view_of(*ctx));
  run_aggregations(50);
  EXPECT_EQ(machine.bytes_on_node(Space::process(kPid), 0), map_size * 3 / 4);
  EXPECT_EQ(machine.migrations() - migrations, map_size / 4 / kPageSize);
}

TEST_F(ContextIntegration, TriedRegionsWalkCoversTheMonitoredRange) {
  const uint64_t base = 4ULL << 30;
  machine.add_node(0, 1ULL << 30);
  machine.place(Space::phys(), base, base + 8 * kMiB, FakeFolio{});
  ContextParams p;
  p.ops = OpsId::paddr;
  p.targets.push_back(TargetParams{0, false, {{base, base + 8 * kMiB}}});
  SchemeParams stat;
  stat.action = Action::stat;
  stat.pattern = {.min_sz = 0,
                  .max_sz = ~0ULL,
                  .min_nr_accesses = 0,
                  .max_nr_accesses = ~0ULL,
                  .min_age = 0,
                  .max_age = ~0ULL};
  p.schemes = {stat};
  start(p);
  run_aggregations(3);

  uint64_t total = 0;
  uint64_t last_end = base;
  int result = 1;
  ASSERT_EQ(schemes->request_walk({[&](size_t idx, const TriedRegion& r) {
                                     EXPECT_EQ(idx, 0u);
                                     EXPECT_EQ(r.start, last_end);
                                     last_end = r.end;
                                     total += r.end - r.start;
                                   },
                                   [&](int r) { result = r; }}),
            0);
  run_aggregations(1);
  EXPECT_EQ(result, 0);
  EXPECT_EQ(total, 8 * kMiB);
}

}  // namespace
}  // namespace damon
