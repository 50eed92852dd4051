// DAMON's tracepoints as a Context with schemes emits them (core/trace.h):
// which events, when, and with which values, checked against the state the
// loop shows at the same points, on a ManualClock.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "engine/core/context.h"
#include "engine/core/trace.h"
#include "engine/damos/schemes.h"
#include "engine/ops/registry.h"
#include "tests/support/folio_machine.h"

namespace damon {
namespace {

using test::FakeFolio;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kBase = 4ULL << 30;

class RecordingSink final : public TraceSink {
 public:
  explicit RecordingSink(std::initializer_list<TraceEvent> wanted) {
    uint32_t mask = 0;
    for (TraceEvent e : wanted) mask |= 1u << static_cast<unsigned>(e);
    set_wanted(mask);
  }
  void emit(const TraceRecord& r) override { records.push_back(r); }
  std::vector<TraceRecord> of(TraceEvent e) const {
    std::vector<TraceRecord> out;
    for (const TraceRecord& r : records)
      if (r.event == e) out.push_back(r);
    return out;
  }
  std::vector<TraceRecord> records;
};

SchemeParams stat_all() {
  SchemeParams p;
  p.action = Action::stat;
  p.pattern = {.min_sz = 0, .max_sz = ~0ULL, .min_nr_accesses = 0, .max_nr_accesses = ~0ULL,
               .min_age = 0, .max_age = ~0ULL};
  return p;
}

class TracePoints : public ::testing::Test {
 protected:
  void SetUp() override {
    machine.add_node(0, 1ULL << 30);
    machine.place(Space::phys(), kBase, kBase + 16 * kMiB, FakeFolio{.hot = true});
    machine.place(Space::phys(), kBase + 16 * kMiB, kBase + 64 * kMiB, FakeFolio{});
    params.ops = OpsId::paddr;
    params.targets.push_back(TargetParams{0, false, {{kBase, kBase + 64 * kMiB}}});
  }

  void start(TraceSink* sink) {
    ctx = std::make_unique<Context>(params, machine, clock, 42, make_operations);
    ctx->set_trace_sink(sink);
    ASSERT_EQ(ctx->start(), 0);
    schemes = std::make_unique<Schemes>(ctx->params().schemes, view_of(*ctx));
    ctx->set_schemes_hook(schemes.get());
  }

  // One sampling interval.
  void step() {
    clock.advance(ctx->next_sleep_us());
    ctx->iterate();
  }

  test::FolioMachine machine;
  ManualClock clock{1000000};
  ContextParams params;
  std::unique_ptr<Context> ctx;
  std::unique_ptr<Schemes> schemes;
};

TEST_F(TracePoints, NothingWithoutASinkOrWhenTheSinkWantsNothing) {
  params.schemes = {stat_all()};
  RecordingSink deaf({});
  start(&deaf);
  for (int i = 0; i < 200; ++i) step();
  EXPECT_TRUE(deaf.records.empty());
}

TEST_F(TracePoints, AggregatedOncePerRegionPerAggregationWithItsCounts) {
  RecordingSink sink({TraceEvent::damon_aggregated});
  start(&sink);
  const uint64_t per_aggr = ctx->samples_per_aggregation();
  std::set<uint64_t> boundaries;  // clock times of aggregation ends
  for (uint64_t i = 0; i < 10 * per_aggr; ++i) {
    step();
    if (ctx->aggregation_boundary()) boundaries.insert(clock.now_us());
  }
  ASSERT_EQ(boundaries.size(), 10u);
  std::map<uint64_t, std::vector<TraceRecord>> by_time;
  for (const TraceRecord& r : sink.records) by_time[r.time_us].push_back(r);
  ASSERT_EQ(by_time.size(), 10u);
  for (const auto& [time, records] : by_time) {
    ASSERT_TRUE(boundaries.count(time)) << time;
    uint64_t next_start = kBase;
    for (const TraceRecord& r : records) {
      EXPECT_EQ(r.event, TraceEvent::damon_aggregated);
      EXPECT_EQ(r.nr_fields, 6);
      EXPECT_EQ(r.fields[0], 0u);               // target index
      EXPECT_EQ(r.fields[1], records.size());   // nr_regions of the target
      EXPECT_EQ(r.fields[2], next_start);       // regions tile the target
      EXPECT_GT(r.fields[3], r.fields[2]);
      EXPECT_LE(r.fields[4], per_aggr);         // nr_accesses
      next_start = r.fields[3];
    }
    EXPECT_EQ(next_start, kBase + 64 * kMiB);
  }
  // The hot 16 MiB are seen accessed in every sample by the end, the cold
  // rest never.
  for (const TraceRecord& r : by_time.rbegin()->second) {
    if (r.fields[3] <= kBase + 16 * kMiB) {
      EXPECT_EQ(r.fields[4], per_aggr);
    }
    if (r.fields[2] >= kBase + 16 * kMiB) {
      EXPECT_EQ(r.fields[4], 0u);
    }
  }
}

TEST_F(TracePoints, AggregationsAreStampedWhenDueEvenWhenTheKdamondIsLate) {
  RecordingSink sink({TraceEvent::damon_aggregated});
  start(&sink);
  // Every wakeup 2 ms late, and every seventh 30 ms late, more than a
  // sampling interval (the samples' beat restarts then).
  for (uint64_t i = 0; i < 10 * ctx->samples_per_aggregation(); ++i) {
    clock.advance(ctx->next_sleep_us() + (i % 7 == 6 ? 30000 : 2000));
    ctx->iterate();
  }
  std::set<uint64_t> times;
  for (const TraceRecord& r : sink.records) times.insert(r.time_us);
  ASSERT_GE(times.size(), 9u);
  for (auto a = times.begin(), b = std::next(a); b != times.end(); ++a, ++b)
    EXPECT_EQ(*b - *a, ctx->attrs().aggr_us);
  EXPECT_LT(*times.rbegin(), clock.now_us());
}

TEST_F(TracePoints, BeforeApplyPerAppliedRegionAndStatsAfterEachApplyInterval) {
  params.schemes = {stat_all()};
  RecordingSink sink({TraceEvent::damos_before_apply, TraceEvent::damos_stat_after_apply_interval});
  start(&sink);
  const uint64_t per_aggr = ctx->samples_per_aggregation();
  for (uint64_t i = 0; i < 5 * per_aggr; ++i) step();
  const std::vector<TraceRecord> applied = sink.of(TraceEvent::damos_before_apply);
  const std::vector<TraceRecord> stats = sink.of(TraceEvent::damos_stat_after_apply_interval);
  ASSERT_EQ(stats.size(), 5u);
  // Each apply round tries every region once; the last stat line is the
  // scheme's stats now.
  const SchemeStats now = schemes->stats()[0];
  EXPECT_EQ(applied.size(), now.nr_tried);
  const TraceRecord& last = stats.back();
  EXPECT_EQ(last.nr_fields, 9);
  EXPECT_EQ(last.fields[1], 0u);  // scheme index
  EXPECT_EQ(last.fields[2], now.nr_tried);
  EXPECT_EQ(last.fields[3], now.sz_tried);
  EXPECT_EQ(last.fields[4], now.nr_applied);
  EXPECT_EQ(last.fields[5], now.sz_applied);
  EXPECT_EQ(last.fields[8], now.nr_snapshots);
  uint64_t bytes = 0;
  for (const TraceRecord& r : applied) {
    EXPECT_EQ(r.fields[0], 0u);  // context
    EXPECT_EQ(r.fields[1], 0u);  // scheme
    EXPECT_EQ(r.fields[2], 0u);  // target
    EXPECT_LE(r.fields[5], per_aggr);
    bytes += r.fields[4] - r.fields[3];
  }
  EXPECT_EQ(bytes, now.sz_tried);
}

TEST_F(TracePoints, IntervalsTuneGivesTheNewSampleInterval) {
  params.attrs.intervals_goal = {.access_bp = 400, .aggrs = 3, .min_sample_us = 1000,
                                 .max_sample_us = 100000};
  RecordingSink sink({TraceEvent::damon_monitor_intervals_tune});
  start(&sink);
  std::vector<uint64_t> tuned;
  for (int i = 0; i < 2000; ++i) {
    const uint64_t before = ctx->attrs().sample_us;
    step();
    if (ctx->attrs().sample_us != before) tuned.push_back(ctx->attrs().sample_us);
  }
  const std::vector<TraceRecord> events = sink.of(TraceEvent::damon_monitor_intervals_tune);
  ASSERT_FALSE(tuned.empty());
  ASSERT_GE(events.size(), tuned.size());
  std::vector<uint64_t> traced;
  for (const TraceRecord& r : events) traced.push_back(r.fields[0]);
  // Every change was traced with its new value (a tuning that keeps the
  // value is traced too, as in the kernel).
  size_t j = 0;
  for (uint64_t v : traced)
    if (j < tuned.size() && v == tuned[j]) ++j;
  EXPECT_EQ(j, tuned.size());
}

TEST_F(TracePoints, EszWhenAWindowChangesIt) {
  SchemeParams s = stat_all();
  s.quota.bytes = 8 * kMiB;
  s.quota.reset_interval_ms = 100;
  QuotaGoal goal;
  goal.target_value = 10000;
  goal.current_value = 5000;  // half way: the tuner raises esz each window
  s.quota.goals.push_back(goal);
  params.schemes = {s};
  RecordingSink sink({TraceEvent::damos_esz});
  start(&sink);
  for (int i = 0; i < 2000; ++i) step();
  const std::vector<TraceRecord> events = sink.of(TraceEvent::damos_esz);
  ASSERT_FALSE(events.empty());
  uint64_t previous = 0;
  for (const TraceRecord& r : events) {
    EXPECT_EQ(r.fields[1], 0u);
    EXPECT_NE(r.fields[2], previous);  // only changes are traced
    EXPECT_LE(r.fields[2], 8 * kMiB);
    previous = r.fields[2];
  }
  EXPECT_EQ(previous, schemes->effective_bytes()[0]);
}

}  // namespace
}  // namespace damon
