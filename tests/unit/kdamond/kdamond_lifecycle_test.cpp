// Start, stop, self-stop, thread identity.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "engine/kdamond/kdamond.h"
#include "tests/unit/kdamond/fake_work.h"
#include "tests/unit/kdamond/kdamond_tasks.h"

namespace damon {
namespace {

using test::eventually;
using test::fake_work;
using test::FakeProbe;
using test::task_log;

using test::kdamond_tasks;
using test::task_name;

int count_named(const std::string& name) { return static_cast<int>(kdamond_tasks(name).size()); }

TEST(KdamondLifecycle, StartErrorIsReturnedAndLeavesNoThread) {
  auto probe = std::make_shared<FakeProbe>();
  probe->start_error = -ENOENT;
  Kdamond kd(task_log());
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
  Kdamond kd(task_log());
  EXPECT_EQ(kd.start(0, nullptr), -EINVAL);
  EXPECT_FALSE(kd.running());
}

TEST(KdamondLifecycle, ThreadIsNamedAndItsTidIsVisible) {
  auto probe = std::make_shared<FakeProbe>();
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(3, fake_work(probe)), 0);
  ASSERT_TRUE(kd.running());
  const pid_t tid = kd.tid();
  EXPECT_GT(tid, 0);
  EXPECT_NE(tid, gettid());
  EXPECT_EQ(task_name(tid), "kdamond.3");
  // /proc/PID/stat (what `ps`/damo read for the kdamond's CPU time) exists
  // and names the task.
  EXPECT_NE(test::first_line("/proc/" + std::to_string(tid) + "/stat").find("(kdamond.3)"),
            std::string::npos);
  // A process of its own, as ps and pgrep list them: a thread-group leader
  // listed in /proc, child of this program.
  EXPECT_EQ(kdamond_tasks("kdamond.3"), std::vector<pid_t>{tid});
  if (ParkedTask::kOwnProcess) {
    EXPECT_EQ(test::status_field(tid, "Tgid"), tid);
    const auto listed = test::listed_processes();
    EXPECT_NE(std::find(listed.begin(), listed.end(), tid), listed.end());
  }
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
  // What the interface records at `on` even when the task stops at once.
  EXPECT_EQ(kd.started_tid(), tid);
  EXPECT_EQ(count_named("kdamond.3"), 0);
  EXPECT_EQ(probe->destroy_tid.load(), tid);
}

TEST(KdamondLifecycle, RunsOnTheParkedThreadItIsGiven) {
  auto probe = std::make_shared<FakeProbe>();
  auto parked = std::make_unique<ParkedTask>(task_log());
  const pid_t parked_tid = parked->pid();
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(5, fake_work(probe), {}, std::move(parked)), 0);
  EXPECT_EQ(kd.tid(), parked_tid);
  EXPECT_EQ(task_name(parked_tid), "kdamond.5");
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

TEST(KdamondLifecycle, AParkedTaskNeverLaunchedExitsWithItsOwner) {
  pid_t pid = -1;
  {
    ParkedTask parked(task_log());
    pid = parked.pid();
    EXPECT_GT(pid, 0);
    EXPECT_NE(pid, gettid());
    EXPECT_EQ(task_name(pid), task_name(getpid()));  // the program's name until launched
  }
  EXPECT_EQ(task_name(pid), "");  // gone from /proc, not a zombie
}

// Killing a kdamond task (kill -9 of its pid) may leave the memory it
// shares with the daemon half-updated: the daemon says so in the log it
// was given and dies of the same signal.
TEST(KdamondLifecycleDeathTest, AKilledTaskIsLoggedAndEndsTheDaemon) {
  if (!ParkedTask::kOwnProcess) GTEST_SKIP() << "under TSan a kdamond is a thread, not a task";
  // A fork of this multi-threaded test program would inherit locked
  // mutexes; the child runs the program afresh instead.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        test::RecordingLog log;
        ParkedTask task(log);
        const pid_t pid = task.pid();
        task.launch("kdamond.0", [] {
          for (;;) pause();
        });
        kill(pid, SIGKILL);
        task.join();
      },
      testing::KilledBySignal(SIGKILL),
      "logged error: kdamond task [0-9]+ ended by signal 9 \\(Killed\\); stopping the daemon");
}

TEST(KdamondLifecycle, AcceptsRequestsAsSoonAsStartReturns) {
  // start() does not wait for the thread to run; the inbox is open anyway,
  // and the sleeping loop is woken for what was queued.
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = 3600ull * 1000 * 1000;
  Kdamond kd(task_log());
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
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(first)), 0);
  EXPECT_EQ(kd.start(0, fake_work(second)), -EBUSY);
  EXPECT_TRUE(second->destroyed);
  EXPECT_EQ(second->start_tid.load(), -1);
  EXPECT_TRUE(eventually([&] { return first->iterations > 2; }));
  EXPECT_FALSE(first->destroyed);
}

TEST(KdamondLifecycle, StopThenRestartRunsAFreshWorkOnANewThread) {
  Kdamond kd(task_log());
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
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(0, fake_work(probe)), 0);
  EXPECT_TRUE(kd.stop());  // would hang for an hour if the sleep were not interruptible
  EXPECT_EQ(probe->iterations, 0u);
}

// sysfs accepts watermark intervals up to ULONG_MAX µs.
TEST(KdamondLifecycle, LargestSleepNeitherSpinsNorBlocksRequests) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = std::numeric_limits<uint64_t>::max();
  Kdamond kd(task_log());
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
  Kdamond kd(task_log());
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
  Kdamond kd(task_log());
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
  Kdamond kd(task_log());
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
    Kdamond kd(task_log());
    ASSERT_EQ(kd.start(9, fake_work(probe)), 0);
    tid = kd.tid();
  }
  EXPECT_TRUE(probe->destroyed);
  EXPECT_EQ(probe->destroy_tid.load(), tid);
  EXPECT_EQ(count_named("kdamond.9"), 0);
}

TEST(KdamondLifecycle, LongIndexIsTruncatedToTheKernelCommLength) {
  auto probe = std::make_shared<FakeProbe>();
  Kdamond kd(task_log());
  ASSERT_EQ(kd.start(123456789, fake_work(probe)), 0);
  EXPECT_EQ(task_name(kd.tid()), "kdamond.1234567");
}

}  // namespace
}  // namespace damon

namespace damon {
namespace {

TEST(KdamondLifecycle, TheTasksCpuTimeIsItsOwnWork) {
  // What ps and damo read as the kdamond's CPU use: /proc/PID/stat of the
  // task counts what its loop did, and (a process of its own) none of it
  // lands on this program's own account.
  auto probe = std::make_shared<FakeProbe>();
  std::atomic<bool> spun{false};
  probe->on_iterate = [&spun](uint64_t) {
    if (spun) return;
    // 300 ms of CPU, however busy the machine is.
    auto cpu_ms = [] {
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    };
    const auto until = cpu_ms() + 300;
    while (cpu_ms() < until) {
    }
    spun = true;
  };
  Kdamond kd(task_log());
  const unsigned long long self_before = test::cpu_ticks(getpid());
  ASSERT_EQ(kd.start(4, fake_work(probe)), 0);
  const pid_t pid = kd.tid();
  // Waited for in long sleeps: this program's own CPU time is what is
  // compared, and eventually()'s 200 us polls over the seconds 300 ms of
  // CPU can take on a loaded machine (under TSan, each poll dearer) would
  // spend a good part of it.
  const auto deadline = std::chrono::steady_clock::now() + test::kHangTimeout;
  while (!spun && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(spun.load());
  const unsigned long long task_ticks = test::cpu_ticks(pid);
  const unsigned long long self_ticks = test::cpu_ticks(getpid()) - self_before;
  const long hz = sysconf(_SC_CLK_TCK);
  EXPECT_GE(task_ticks, static_cast<unsigned long long>(hz / 4)) << "300 ms of spinning";
  if (ParkedTask::kOwnProcess) {
    EXPECT_LT(self_ticks, task_ticks / 2);
  }
  EXPECT_TRUE(kd.stop());
  EXPECT_EQ(task_name(pid), "");
}

}  // namespace
}  // namespace damon
