// ChunkRunner (chunk_runner.h): every chunk of every job runs exactly once,
// and all of a job's writes are seen when run() returns, whoever ran them.
// Run under TSan to check the hand-over between the two threads.
#include "engine/machine/sim/chunk_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace damon::sim {
namespace {

// Runs `jobs` jobs of a varying number of chunks; each chunk writes its
// own slot, and the caller checks every slot right after run().
void run_jobs(ChunkRunner& runner, int jobs) {
  std::vector<int> slots;
  for (int j = 0; j < jobs; ++j) {
    const size_t chunks = static_cast<size_t>(j % 17);
    slots.assign(chunks, -1);
    std::atomic<int> calls{0};
    runner.run(chunks, [&](size_t c) {
      slots[c] = j;
      calls.fetch_add(1);
    });
    ASSERT_EQ(calls.load(), static_cast<int>(chunks)) << "job " << j;
    for (size_t c = 0; c < chunks; ++c) ASSERT_EQ(slots[c], j) << "job " << j << " chunk " << c;
  }
}

TEST(ChunkRunner, EveryChunkOnceWithTheHelperAlwaysWoken) {
  ChunkRunner runner(ChunkRunner::Wake::always);
  run_jobs(runner, 3000);
}

TEST(ChunkRunner, EveryChunkOnceWhenBusy) {
  // Back-to-back jobs: the helper wakes after the first few.
  ChunkRunner runner(ChunkRunner::Wake::when_busy);
  run_jobs(runner, 3000);
}

TEST(ChunkRunner, JobsWithPausesBetweenThemLetTheHelperSleep) {
  // Pauses longer than the helper's spin: each job may find it asleep,
  // waking or still finishing the last.
  ChunkRunner runner(ChunkRunner::Wake::always);
  for (int round = 0; round < 20; ++round) {
    run_jobs(runner, 5);
    std::this_thread::sleep_for(std::chrono::microseconds(300 + 50 * (round % 5)));
  }
}

TEST(ChunkRunner, TheHelperTakesPartWhenWoken) {
  // Chunks that wait for one another can only all finish if two threads
  // run them: the first chunk to start waits until a second has started.
  ChunkRunner runner(ChunkRunner::Wake::always);
  if (!runner.has_helper()) GTEST_SKIP() << "this process may run on one CPU only: no helper is started";
  std::atomic<int> started{0};
  std::atomic<bool> paired{false};
  runner.run(2, [&](size_t) {
    started.fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (started.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    if (started.load() == 2) paired = true;
  });
  EXPECT_TRUE(paired.load());
}

TEST(ChunkRunner, NeverRunsEverythingOnTheCaller) {
  ChunkRunner runner(ChunkRunner::Wake::never);
  const auto caller = std::this_thread::get_id();
  std::atomic<int> elsewhere{0};
  for (int j = 0; j < 200; ++j) {
    runner.run(8, [&](size_t) {
      if (std::this_thread::get_id() != caller) elsewhere.fetch_add(1);
    });
  }
  EXPECT_EQ(elsewhere.load(), 0);
}

}  // namespace
}  // namespace damon::sim
