// damos_walk requests: one at a time, streamed regions, completion and
// cancellation.
#include <gtest/gtest.h>

#include <cerrno>
#include <mutex>
#include <utility>
#include <vector>

#include "engine/kdamond/kdamond.h"
#include "tests/unit/kdamond/fake_work.h"

namespace damon {
namespace {

using test::eventually;
using test::fake_work;
using test::FakeProbe;
using test::FakeWork;
using test::WalkMode;
using test::task_log;

struct Reported {
  size_t scheme;
  TriedRegion region;
};

TEST(KdamondWalk, StreamsRegionsThenCompletes) {
  auto probe = std::make_shared<FakeProbe>();
  probe->walk_mode = WalkMode::finish;
  probe->walk_regions = 5;
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  std::vector<Reported> got;  // written on the kdamond thread before `done`
  auto done = std::make_shared<CompletionLatch>();
  ASSERT_EQ(kd.walk([&](size_t scheme, const TriedRegion& r) { got.push_back({scheme, r}); },
                    CompletionLatch::completion(done)),
            0);
  ASSERT_EQ(done->wait_for(test::kHangTimeout), 0);
  ASSERT_EQ(got.size(), 5u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].scheme, i % 2);
    EXPECT_EQ(got[i].region.start, FakeWork::region(i).start);
    EXPECT_EQ(got[i].region.end, FakeWork::region(i).end);
    EXPECT_EQ(got[i].region.nr_accesses, FakeWork::region(i).nr_accesses);
    EXPECT_EQ(got[i].region.age, FakeWork::region(i).age);
  }
  // The next walk is accepted once the first completed.
  auto again = std::make_shared<CompletionLatch>();
  ASSERT_EQ(kd.walk({}, CompletionLatch::completion(again)), 0);
  EXPECT_EQ(again->wait_for(test::kHangTimeout), 0);
  EXPECT_EQ(probe->walks_begun, 2u);
}

TEST(KdamondWalk, SecondWalkIsBusyUntilTheFirstEnds) {
  auto probe = std::make_shared<FakeProbe>();
  probe->walk_mode = WalkMode::hold;
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  auto first = std::make_shared<CompletionLatch>();
  bool second_done = false;
  ASSERT_EQ(kd.walk({}, CompletionLatch::completion(first)), 0);
  // Busy while queued and while in progress.
  EXPECT_EQ(kd.walk({}, [&](int) { second_done = true; }), -EBUSY);
  ASSERT_TRUE(eventually([&] { return probe->walks_begun == 1u; }));
  EXPECT_EQ(kd.walk({}, [&](int) { second_done = true; }), -EBUSY);
  // One-shot requests are not held up by the walk.
  EXPECT_EQ(kd.call_and_wait([](KdamondWork&) { return 3; }), 3);

  kd.stop();
  EXPECT_EQ(first->wait_for(std::chrono::milliseconds(0)), -ECANCELED);
  EXPECT_FALSE(second_done);
  EXPECT_EQ(kd.walk({}, [](int) {}), -EINVAL);
}

TEST(KdamondWalk, WorkCancellingTheWalkCompletesWithEcanceled) {
  auto probe = std::make_shared<FakeProbe>();
  probe->walk_mode = WalkMode::cancel;  // e.g. every scheme watermark-deactivated
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  bool region_seen = false;
  auto done = std::make_shared<CompletionLatch>();
  ASSERT_EQ(kd.walk([&](size_t, const TriedRegion&) { region_seen = true; },
                    CompletionLatch::completion(done)),
            0);
  EXPECT_EQ(done->wait_for(test::kHangTimeout), -ECANCELED);
  EXPECT_FALSE(region_seen);
  EXPECT_TRUE(kd.running());
}

TEST(KdamondWalk, WorkWithoutWalkSupportCancelsAtOnce) {
  auto probe = std::make_shared<FakeProbe>();
  probe->walk_mode = WalkMode::unsupported;
  probe->sleep_us = 3600ull * 1000 * 1000;  // no iteration needed to cancel
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  auto done = std::make_shared<CompletionLatch>();
  ASSERT_EQ(kd.walk({}, CompletionLatch::completion(done)), 0);
  EXPECT_EQ(done->wait_for(test::kHangTimeout), -ECANCELED);
  EXPECT_EQ(probe->iterations, 0u);
}

TEST(KdamondWalk, CompletionMayStartTheNextWalk) {
  auto probe = std::make_shared<FakeProbe>();
  probe->walk_mode = WalkMode::finish;
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  auto second = std::make_shared<CompletionLatch>();
  std::atomic<int> second_queued{1};
  ASSERT_EQ(kd.walk({},
                    [&](int) {
                      second_queued = kd.walk({}, CompletionLatch::completion(second));
                    }),
            0);
  EXPECT_EQ(second->wait_for(test::kHangTimeout), 0);
  EXPECT_EQ(second_queued.load(), 0);
}

TEST(KdamondWalk, SelfStopCancelsTheWalkInProgress) {
  auto probe = std::make_shared<FakeProbe>();
  probe->walk_mode = WalkMode::hold;
  probe->sleep_us = 0;
  probe->allow(0);
  probe->stop_after = 2;
  Kdamond kd(task_log());
  test::OpenGateOnExit open_gate(probe);
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  auto done = std::make_shared<CompletionLatch>();
  ASSERT_EQ(kd.walk({}, CompletionLatch::completion(done)), 0);
  probe->allow_all();
  EXPECT_EQ(done->wait_for(test::kHangTimeout), -ECANCELED);
  EXPECT_EQ(probe->walks_begun, 1u);
  EXPECT_FALSE(kd.running());
}

TEST(DamosWalk, ReportsNothingAfterItEnded) {
  int reports = 0;
  DamosWalk walk([&](size_t, const TriedRegion&) { ++reports; });
  EXPECT_FALSE(walk.ended());
  walk.report(0, TriedRegion{});
  walk.finish();
  walk.report(0, TriedRegion{});
  walk.cancel();  // too late: the first end wins
  EXPECT_TRUE(walk.ended());
  EXPECT_EQ(walk.result(), 0);
  EXPECT_EQ(reports, 1);
}

}  // namespace
}  // namespace damon
