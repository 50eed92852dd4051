// Many threads posting every kind of request while kdamonds start, stop and
// stop themselves. Checks liveness (every wait returns), exactly-once
// completion (no lost or doubled waiter) and that every request is freed.
// Meant to be run under TSan and ASan too.
//
// DAMONFS_KDAMOND_STRESS_SECONDS sets the duration (default 5).
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/kdamond/kdamond.h"
#include "tests/unit/kdamond/fake_work.h"

namespace damon {
namespace {

using test::fake_work;
using test::FakeProbe;
using test::WalkMode;
using test::task_log;

std::chrono::seconds stress_duration() {
  const char* env = std::getenv("DAMONFS_KDAMOND_STRESS_SECONDS");
  const long seconds = env ? std::strtol(env, nullptr, 10) : 5;
  return std::chrono::seconds(seconds > 0 ? seconds : 5);
}

// Counts accepted requests, completions, and request objects alive.
struct Ledger {
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> doubled{0};
  std::atomic<uint64_t> bad_result{0};
  std::atomic<int64_t> alive{0};
  std::atomic<uint64_t> ran{0};
  std::atomic<uint64_t> waits{0};
};

// Captured by a request's callbacks: records its completions and lives
// exactly as long as the request does.
class Token {
 public:
  explicit Token(Ledger& ledger) : ledger_(ledger) { ++ledger_.alive; }
  ~Token() { --ledger_.alive; }
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;

  void complete(int result, std::initializer_list<int> allowed) {
    if (completions_.fetch_add(1) != 0) ++ledger_.doubled;
    ++ledger_.completed;
    bool ok = false;
    for (int a : allowed) ok |= result == a;
    if (!ok) ++ledger_.bad_result;
  }

 private:
  Ledger& ledger_;
  std::atomic<int> completions_{0};
};

// Aborts the test binary when the run does not finish long after its
// deadline: a deadlock must fail loudly, not hang CI.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit)
      : thread_([this, limit] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "kdamond stress: no progress after %llds: deadlock\n",
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

constexpr int kKdamonds = 3;
constexpr int kPosters = 4;

void post_one(std::deque<Kdamond>& kds, Ledger& ledger, std::mt19937& rng,
              std::vector<RepeatHandle>& repeats) {
  Kdamond& kd = kds[rng() % kds.size()];
  Kdamond& other = kds[rng() % kds.size()];
  switch (rng() % 7) {
    case 0: {  // one-shot; its fn posts to another kdamond (never waits)
      auto token = std::make_shared<Token>(ledger);
      const int rc = kd.call(
          [&ledger, &other, token](KdamondWork&) {
            ++ledger.ran;
            auto inner = std::make_shared<Token>(ledger);
            if (other.call([](KdamondWork&) { return 1; },
                           [inner](int r) { inner->complete(r, {1, -ECANCELED}); }) == 0)
              ++ledger.accepted;
            return 0;
          },
          [token](int r) { token->complete(r, {0, -ECANCELED}); });
      if (rc == 0) ++ledger.accepted;
      else if (rc != -EINVAL) ++ledger.bad_result;
      break;
    }
    case 1: {  // blocking waiter
      const int rc = kd.call_and_wait([](KdamondWork&) { return 42; });
      ++ledger.waits;
      if (rc != 42 && rc != -ECANCELED && rc != -EINVAL) ++ledger.bad_result;
      break;
    }
    case 2: {  // typed result
      auto token = std::make_shared<Token>(ledger);
      const int rc = kd.call_value<std::vector<int>>(
          [](KdamondWork&) { return std::vector<int>{1, 2, 3}; },
          [token, &ledger](int r, std::vector<int> v) {
            if (r == 0 && v.size() != 3) ++ledger.bad_result;
            token->complete(r, {0, -ECANCELED});
          });
      if (rc == 0) ++ledger.accepted;
      break;
    }
    case 3: {  // repeating request
      auto token = std::make_shared<Token>(ledger);
      std::optional<RepeatHandle> h = kd.repeat(
          1 + rng() % 2000, [&ledger](KdamondWork&) { ++ledger.ran; },
          [token](int r) { token->complete(r, {-ECANCELED}); });
      if (h) {
        ++ledger.accepted;
        repeats.push_back(*h);
      }
      break;
    }
    case 4: {  // change or cancel a repeating request from this thread
      if (repeats.empty()) break;
      const size_t i = rng() % repeats.size();
      if (rng() % 2) repeats[i].set_period_us(1 + rng() % 500);
      else repeats[i].cancel();
      if (!repeats[i].active()) {
        repeats[i] = repeats.back();
        repeats.pop_back();
      }
      break;
    }
    case 5: {  // walk
      auto token = std::make_shared<Token>(ledger);
      const int rc = kd.walk([&ledger](size_t, const TriedRegion&) { ++ledger.ran; },
                             [token](int r) { token->complete(r, {0, -ECANCELED}); });
      if (rc == 0) ++ledger.accepted;
      else if (rc != -EBUSY && rc != -EINVAL) ++ledger.bad_result;
      break;
    }
    case 6:  // a burst of fire-and-forget calls
      for (int i = 0; i < 16; ++i) {
        auto token = std::make_shared<Token>(ledger);
        if (kd.call([](KdamondWork&) { return 0; },
                    [token](int r) { token->complete(r, {0, -ECANCELED}); }) == 0)
          ++ledger.accepted;
      }
      break;
  }
}

std::unique_ptr<KdamondWork> random_work(std::mt19937& rng) {
  auto probe = std::make_shared<FakeProbe>();
  probe->sleep_us = rng() % 4 == 0 ? 0 : rng() % 500;
  probe->stop_after = rng() % 3 == 0 ? 1 + rng() % 200 : 0;
  const WalkMode modes[] = {WalkMode::finish, WalkMode::cancel, WalkMode::hold,
                            WalkMode::unsupported};
  probe->walk_mode = modes[rng() % 4];
  probe->start_error = rng() % 10 == 0 ? -ENOMEM : 0;
  return fake_work(probe);
}

TEST(KdamondStress, ManyPostersWhileKdamondsStartAndStop) {
  const auto duration = stress_duration();
  Watchdog watchdog(duration + std::chrono::seconds(120));
  Ledger ledger;
  std::atomic<uint64_t> exits{0}, starts{0};
  {
    std::deque<Kdamond> kds;
    for (int i = 0; i < kKdamonds; ++i) kds.emplace_back(task_log());
    const auto deadline = std::chrono::steady_clock::now() + duration;
    auto before_deadline = [&] { return std::chrono::steady_clock::now() < deadline; };

    std::thread controller([&] {
      std::mt19937 rng(1);
      while (before_deadline()) {
        const unsigned i = rng() % kKdamonds;
        Kdamond& kd = kds[i];
        if (kd.running()) {
          rng() % 2 ? kd.stop() : kd.request_stop();
        } else {
          const int rc = kd.start(i, random_work(rng), [&exits](KdamondExit) { ++exits; });
          if (rc == 0) ++starts;
          else if (rc != -ENOMEM && rc != -EBUSY) ++ledger.bad_result;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
      }
    });
    std::vector<std::thread> posters;
    for (int t = 0; t < kPosters; ++t) {
      posters.emplace_back([&, t] {
        std::mt19937 rng(100 + t);
        std::vector<RepeatHandle> repeats;
        while (before_deadline()) post_one(kds, ledger, rng, repeats);
      });
    }
    for (auto& p : posters) p.join();
    controller.join();
    // kds destroyed here: every kdamond stops, cancelling what is left.
  }
  RecordProperty("starts", std::to_string(starts.load()));
  RecordProperty("accepted", std::to_string(ledger.accepted.load()));
  std::printf("stress: %llu starts, %llu requests accepted, %llu waits, %llu runs\n",
              static_cast<unsigned long long>(starts.load()),
              static_cast<unsigned long long>(ledger.accepted.load()),
              static_cast<unsigned long long>(ledger.waits.load()),
              static_cast<unsigned long long>(ledger.ran.load()));
  EXPECT_GT(starts.load(), 0u);
  EXPECT_EQ(exits.load(), starts.load());
  EXPECT_GT(ledger.accepted.load(), 0u);
  EXPECT_EQ(ledger.completed.load(), ledger.accepted.load());
  EXPECT_EQ(ledger.doubled.load(), 0u);
  EXPECT_EQ(ledger.bad_result.load(), 0u);
  EXPECT_EQ(ledger.alive.load(), 0);
}

}  // namespace
}  // namespace damon
