// Start, stop, self-stop, thread identity.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "engine/kdamond/kdamond.h"
#include "tests/unit/kdamond/fake_work.h"

namespace damon {
namespace {

using test::eventually;
using test::fake_work;
using test::FakeProbe;

std::string read_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Names of this process's threads, from /proc.
std::vector<std::string> thread_names() {
  std::vector<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    names.push_back(read_line(task.path() / "comm"));
  return names;
}

int count_named(const std::string& name) {
  int n = 0;
  for (const std::string& t : thread_names()) n += t == name;
  return n;
}

TEST(KdamondLifecycle, StartErrorIsReturnedAndLeavesNoThread) {
  auto probe = std::make_shared<FakeProbe>();
  probe->start_error = -ENOENT;
  Kdamond kd;
  bool exited = false;
  EXPECT_EQ(kd.start(7, fake_work(probe), [&](KdamondExit) { exited = true; }), -ENOENT);
  EXPECT_FALSE(exited);
  EXPECT_FALSE(kd.running());
  EXPECT_EQ(kd.tid(), -1);
  EXPECT_EQ(count_named("kdamond.7"), 0);
  EXPECT_TRUE(probe->destroyed);
  // The failed start() ran on the caller's thread, and the work died there:
  // no kdamond thread was ever involved.
  EXPECT_EQ(probe->start_tid.load(), gettid());
  EXPECT_EQ(probe->destroy_tid.load(), gettid());
  EXPECT_EQ(probe->iterations, 0u);
  EXPECT_FALSE(kd.stop());
  EXPECT_EQ(kd.call([](KdamondWork&) { return 0; }, [](int) {}), -EINVAL);
}

TEST(KdamondLifecycle, StartWithoutWorkIsEinval) {
  Kdamond kd;
  EXPECT_EQ(kd.start(0, nullptr), -EINVAL);
  EXPECT_FALSE(kd.running());
}

TEST(KdamondLifecycle, ThreadIsNamedAndItsTidIsVisible) {
  auto probe = std::make_shared<FakeProbe>();
  Kdamond kd;
  ASSERT_EQ(kd.start(3, fake_work(probe)), 0);
  ASSERT_TRUE(kd.running());
  const pid_t tid = kd.tid();
  EXPECT_GT(tid, 0);
  EXPECT_NE(tid, gettid());
  EXPECT_EQ(read_line("/proc/self/task/" + std::to_string(tid) + "/comm"), "kdamond.3");
  // /proc/TID/stat (what `ps`/damo read for the kdamond's CPU time) exists
  // and names the thread.
  EXPECT_NE(read_line("/proc/" + std::to_string(tid) + "/stat").find("(kdamond.3)"),
            std::string::npos);
  // Requests run on that thread.
  pid_t seen = -1;
  EXPECT_EQ(kd.call_and_wait([&seen](KdamondWork&) {
    seen = gettid();
    return 0;
  }),
            0);
  EXPECT_EQ(seen, tid);

  EXPECT_TRUE(kd.stop());
  EXPECT_FALSE(kd.running());
  EXPECT_EQ(kd.tid(), -1);
  EXPECT_EQ(count_named("kdamond.3"), 0);
  EXPECT_EQ(probe->destroy_tid.load(), tid);
}

TEST(KdamondLifecycle, RunsOnTheParkedThreadItIsGiven) {
  auto probe = std::make_shared<FakeProbe>();
  auto parked = std::make_unique<ParkedThread>();
  const pid_t parked_tid = parked->tid();
  Kdamond kd;
  ASSERT_EQ(kd.start(5, fake_work(probe), {}, std::move(parked)), 0);
  EXPECT_EQ(kd.tid(), parked_tid);
  EXPECT_EQ(read_line("/proc/self/task/" + std::to_string(parked_tid) + "/comm"), "kdamond.5");
  pid_t seen = -1;
  EXPECT_EQ(kd.call_and_wait([&seen](KdamondWork&) {
    seen = gettid();
    return 0;
  }),
            0);
  EXPECT_EQ(seen, parked_tid);
  EXPECT_TRUE(kd.stop());
  EXPECT_EQ(probe->destroy_tid.load(), parked_tid);
}

TEST(KdamondLifecycle, AParkedThreadNeverLaunchedExitsWithItsOwner) {
  const size_t before = thread_names().size();
  {
    ParkedThread parked;
    EXPECT_GT(parked.tid(), 0);
    EXPECT_EQ(thread_names().size(), before + 1);
  }
  EXPECT_EQ(thread_names().size(), before);
}

TEST(KdamondLifecycle, AcceptsRequestsAsSoonAsStartReturns) {
  // start() does not wait for the thread to run; the inbox is open anyway,
  // and the sleeping loop is woken for what was queued.
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 3600ull * 1000 * 1000;
  Kdamond kd;
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  EXPECT_TRUE(kd.running());
  EXPECT_EQ(kd.call_and_wait([](KdamondWork&) { return 7; }), 7);
  EXPECT_TRUE(kd.stop());
}

TEST(RequestInbox, RequestsQueuedBeforeTheWakerWakeItWhenSet) {
  RequestInbox inbox;
  inbox.open();
  ASSERT_EQ(inbox.push(CallRequest{[](KdamondWork&) { return 0; }, nullptr}), 0);
  ASSERT_EQ(inbox.push(CallRequest{[](KdamondWork&) { return 0; }, nullptr}), 0);
  int wakes = 0;
  inbox.set_waker([&wakes] { ++wakes; });
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(inbox.take().calls.size(), 2u);
  // Nothing queued: a new waker is not called.
  inbox.set_waker([&wakes] { ++wakes; });
  EXPECT_EQ(wakes, 1);
  ASSERT_EQ(inbox.push(CallRequest{[](KdamondWork&) { return 0; }, nullptr}), 0);
  EXPECT_EQ(wakes, 2);
}

TEST(KdamondLifecycle, StartWhileRunningIsBusyAndKeepsTheRunningWork) {
  auto first = std::make_shared<FakeProbe>();
  auto second = std::make_shared<FakeProbe>();
  Kdamond kd;
  ASSERT_EQ(kd.start(0, fake_work(first)), 0);
  EXPECT_EQ(kd.start(0, fake_work(second)), -EBUSY);
  EXPECT_TRUE(second->destroyed);
  EXPECT_EQ(second->start_tid.load(), -1);
  EXPECT_TRUE(eventually([&] { return first->iterations > 2; }));
  EXPECT_FALSE(first->destroyed);
}

TEST(KdamondLifecycle, StopThenRestartRunsAFreshWorkOnANewThread) {
  Kdamond kd;
  auto first = std::make_shared<FakeProbe>();
  ASSERT_EQ(kd.start(0, fake_work(first)), 0);
  const pid_t first_tid = kd.tid();
  ASSERT_TRUE(eventually([&] { return first->iterations > 0; }));
  EXPECT_TRUE(kd.stop());
  EXPECT_TRUE(first->destroyed);
  EXPECT_FALSE(kd.stop());

  auto second = std::make_shared<FakeProbe>();
  ASSERT_EQ(kd.start(1, fake_work(second)), 0);
  EXPECT_NE(kd.tid(), -1);
  EXPECT_NE(kd.tid(), first_tid);
  EXPECT_EQ(count_named("kdamond.1"), 1);
  EXPECT_TRUE(eventually([&] { return second->iterations > 0; }));
  EXPECT_TRUE(kd.stop());
}

TEST(KdamondLifecycle, StopInterruptsALongSleep) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 3600ull * 1000 * 1000;
  Kdamond kd;
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  EXPECT_TRUE(kd.stop());  // would hang for an hour if the sleep were not interruptible
  EXPECT_EQ(probe->iterations, 0u);
}

// sysfs accepts watermark intervals up to ULONG_MAX µs.
TEST(KdamondLifecycle, LargestSleepNeitherSpinsNorBlocksRequests) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = std::numeric_limits<uint64_t>::max();
  Kdamond kd;
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  EXPECT_EQ(kd.call_and_wait([](KdamondWork&) { return 1; }), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(kd.call_and_wait([](KdamondWork&) { return 2; }), 2);
  EXPECT_EQ(probe->iterations, 0u);  // an overflowed deadline would fire at once
  EXPECT_TRUE(kd.stop());
}

TEST(KdamondLifecycle, SelfStopNotifiesOnExitOnceAfterLeavingTheRunningState) {
  auto probe = std::make_shared<FakeProbe>();
  probe->stop_after = 5;
  Kdamond kd;
  std::atomic<int> exits{0};
  std::atomic<bool> running_at_exit{true};
  std::atomic<KdamondExit> reason{KdamondExit::stopped};
  ASSERT_EQ(kd.start(0, fake_work(probe),
                     [&](KdamondExit why) {
                       running_at_exit = kd.running();
                       reason = why;
                       ++exits;
                     }),
            0);
  ASSERT_TRUE(eventually([&] { return exits.load() == 1; }));
  EXPECT_EQ(reason.load(), KdamondExit::work_done);
  EXPECT_FALSE(running_at_exit);
  EXPECT_EQ(probe->iterations, 5u);
  EXPECT_FALSE(kd.running());
  EXPECT_EQ(kd.tid(), -1);
  EXPECT_EQ(kd.call([](KdamondWork&) { return 0; }, [](int) {}), -EINVAL);
  EXPECT_FALSE(kd.stop());  // sysfs: `off` after a self-stop is EPERM
  EXPECT_EQ(exits.load(), 1);

  // `on` again after a self-stop.
  auto again = std::make_shared<FakeProbe>();
  ASSERT_EQ(kd.start(0, fake_work(again)), 0);
  EXPECT_TRUE(kd.running());
}

TEST(KdamondLifecycle, RequestedStopReportsStoppedToOnExit) {
  auto probe = std::make_shared<FakeProbe>();
  Kdamond kd;
  std::atomic<int> stopped{0};
  ASSERT_EQ(kd.start(0, fake_work(probe),
                     [&](KdamondExit why) { stopped += why == KdamondExit::stopped; }),
            0);
  EXPECT_TRUE(kd.request_stop());
  EXPECT_TRUE(eventually([&] { return !kd.running(); }));
  EXPECT_FALSE(kd.stop());  // already exited: only joins
  EXPECT_EQ(stopped.load(), 1);
}

TEST(KdamondLifecycle, StopFromAKdamondCallbackOnlyRequestsIt) {
  auto probe = std::make_shared<FakeProbe>();
  Kdamond kd;
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  std::atomic<int> start_from_callback{0};
  std::atomic<int> wait_from_callback{0};
  auto latch = std::make_shared<CompletionLatch>();
  ASSERT_EQ(kd.call(
                [&](KdamondWork&) {
                  start_from_callback = kd.start(0, fake_work(std::make_shared<FakeProbe>()));
                  wait_from_callback = kd.call_and_wait([](KdamondWork&) { return 0; });
                  return kd.stop() ? 0 : -1;
                },
                CompletionLatch::completion(latch)),
            0);
  EXPECT_EQ(latch->wait(), 0);
  EXPECT_EQ(start_from_callback.load(), -EDEADLK);
  EXPECT_EQ(wait_from_callback.load(), -EDEADLK);
  EXPECT_TRUE(eventually([&] { return !kd.running(); }));
}

TEST(KdamondLifecycle, DestructionStopsTheThread) {
  auto probe = std::make_shared<FakeProbe>();
  pid_t tid = -1;
  {
    Kdamond kd;
    ASSERT_EQ(kd.start(9, fake_work(probe)), 0);
    tid = kd.tid();
  }
  EXPECT_TRUE(probe->destroyed);
  EXPECT_EQ(probe->destroy_tid.load(), tid);
  EXPECT_EQ(count_named("kdamond.9"), 0);
}

TEST(KdamondLifecycle, LongIndexIsTruncatedToTheKernelCommLength) {
  auto probe = std::make_shared<FakeProbe>();
  Kdamond kd;
  ASSERT_EQ(kd.start(123456789, fake_work(probe)), 0);
  EXPECT_EQ(read_line("/proc/self/task/" + std::to_string(kd.tid()) + "/comm"),
            "kdamond.1234567");
}

}  // namespace
}  // namespace damon
