// The sampling helper (ChunkRunner in Simulation::young): a vaddr batch's
// young bits are the same, bit for bit, whether a second thread works out
// part of them or not, whatever else touches the same pages between
// mkold and young. Run under TSan to check that the first pass only reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "engine/machine/sim/sim_machine.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

// One kdamond's sampling of the mixed process for `rounds` intervals (fresh random
// addresses each, in address order, many per chunk), with the things that
// send pages to young()'s second pass in between: a second kdamond's batch
// on the same process, young-filter clears after mkold, pageouts and
// collapses. Returns every young bit the first kdamond saw. `reversed`
// passes the same addresses in reverse order, which leaves nearly all of
// them to the second pass (the first takes a batch in address order).
YoungBits sample(ChunkRunner::Wake wake, int rounds, bool reversed = false, bool second_kdamond = true) {
  ManualClock clock(1000000);
  SimOptions options;
  options.sampling_helper = wake;
  SimMachine m(test::mixed_sampling(), clock, options);
  const int pid = *m.pid_of("mix");
  const Space space = Space::process(pid);
  std::vector<Vma> vmas = m.vmas(pid);
  std::mt19937_64 rng(3);
  YoungBits seen, young, other_young;
  for (int round = 0; round < rounds; ++round) {
    std::vector<uint64_t> addrs, other;
    for (const Vma& v : vmas) {
      for (int i = 0; i < 400; ++i) addrs.push_back(v.start + rng() % (v.end - v.start));
      other.push_back(v.start + rng() % (v.end - v.start));
    }
    std::sort(addrs.begin(), addrs.end());
    std::vector<uint64_t> batch = addrs;
    if (reversed) std::reverse(batch.begin(), batch.end());
    m.mkold(space, batch);
    const bool both = second_kdamond && round % 4 == 1;
    if (both) m.mkold(space, other);  // before the first kdamond's check
    clock.advance(2500);
    for (size_t i = round % 7; i < addrs.size(); i += 97) m.test_and_clear_young(space, addrs[i]);
    clock.advance(2500);
    m.young(space, batch, young);
    if (reversed) std::reverse(young.begin(), young.end());
    seen.insert(seen.end(), young.begin(), young.end());
    if (both) m.young(space, other, other_young);
    if (round % 5 == 2) m.madvise(pid, {addrs[round] & ~(kPage - 1), (addrs[round] & ~(kPage - 1)) + 64 * kPage},
                                  Action::pageout);
    if (round % 6 == 3) m.madvise(pid, {vmas[0].start, vmas[0].end}, Action::collapse);
  }
  return seen;
}

TEST(SimSamplingHelper, YoungBitsAreTheSameWithOrWithoutTheHelper) {
  if (!ChunkRunner(ChunkRunner::Wake::always).has_helper())
    GTEST_SKIP() << "this process may run on one CPU only: no helper to compare with";
  const YoungBits alone = sample(ChunkRunner::Wake::never, 40);
  const YoungBits helped = sample(ChunkRunner::Wake::always, 40);
  ASSERT_EQ(alone.size(), helped.size());
  EXPECT_EQ(alone, helped);
  // Not a vacuous match: some pages were young and some not.
  EXPECT_GT(std::count(alone.begin(), alone.end(), true), 0);
  EXPECT_GT(std::count(alone.begin(), alone.end(), false), 0);
}

TEST(SimSamplingHelper, TheFirstPassAnswersAsTheSecond) {
  // Without the second kdamond: its batch sends the first's to the table,
  // where the order of a batch decides which entries a full set keeps.
  EXPECT_EQ(sample(ChunkRunner::Wake::always, 40, false, false), sample(ChunkRunner::Wake::never, 40, true, false));
}

}  // namespace
}  // namespace damon::sim
