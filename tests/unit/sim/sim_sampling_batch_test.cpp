// SimMachine's batched sampling (simulation_sampling.cpp): one mkold/young
// call over many addresses must answer exactly as calls of one address each,
// whatever the order of the addresses and the state of their pages.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "engine/machine/sim/sim_machine.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

// Addresses of every mapping of the process, a few in the gaps between
// them, and in `order`: sorted, reversed or shuffled. Few enough that the
// sampling table never evicts one of them: one address at a time, each
// check finds its mkold time in the table, while a batch's own check finds
// it in the batch (sampled_batch.h).
std::vector<uint64_t> addresses(const SimMachine& m, int pid, int order) {
  std::vector<uint64_t> out;
  std::mt19937_64 rng(5);
  for (const Vma& v : m.vmas(pid)) {
    for (int i = 0; i < 60; ++i) out.push_back(v.start + rng() % (v.end - v.start));
    out.push_back(v.end);  // past the mapping: no page
  }
  std::sort(out.begin(), out.end());
  if (order == 1) std::reverse(out.begin(), out.end());
  if (order == 2) std::shuffle(out.begin(), out.end(), rng);
  return out;
}

// Pages some of each region out (lazy extents, partly faulted back later).
void page_out_some(SimMachine& m, int pid) {
  for (const RegionTruth& r : m.region_truth(pid)) {
    if (r.name.front() == '[') continue;
    m.madvise(pid, {r.vaddr.start + 4 * kMiB, r.vaddr.start + 12 * kMiB}, Action::pageout);
  }
}

// Runs `rounds` sampling intervals on `m`, batched or one address at a
// time, and returns every young bit seen.
YoungBits sample(SimMachine& m, ManualClock& clock, int pid, int order, bool batched, int rounds) {
  const Space space = Space::process(pid);
  const std::vector<uint64_t> addrs = addresses(m, pid, order);
  YoungBits seen, young;
  for (int round = 0; round < rounds; ++round) {
    if (batched) {
      m.mkold(space, addrs);
    } else {
      for (uint64_t a : addrs) m.mkold(space, std::span(&a, 1));
    }
    clock.advance(5000);
    if (batched) {
      m.young(space, addrs, young);
      seen.insert(seen.end(), young.begin(), young.end());
    } else {
      for (uint64_t a : addrs) {
        m.young(space, std::span(&a, 1), young);
        seen.push_back(young.at(0));
      }
    }
    if (round == 3) page_out_some(m, pid);
  }
  return seen;
}

TEST(SimSamplingBatch, AnswersAsOneAddressAtATimeInAnyOrder) {
  for (int order = 0; order < 3; ++order) {
    ManualClock batched_clock(1000000), single_clock(1000000);
    SimMachine batched(test::mixed_sampling(), batched_clock), single(test::mixed_sampling(), single_clock);
    const int pid = *batched.pid_of("mix");
    ASSERT_EQ(pid, *single.pid_of("mix"));
    const YoungBits a = sample(batched, batched_clock, pid, order, true, 12);
    const YoungBits b = sample(single, single_clock, pid, order, false, 12);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(a, b) << "order " << order;
    // Not a vacuous match: some pages were young and some not.
    EXPECT_GT(std::count(a.begin(), a.end(), true), 0);
    EXPECT_GT(std::count(a.begin(), a.end(), false), 0);
  }
}

TEST(SimSamplingBatch, PhysicalAddressesAnswerAsOneAtATime) {
  ManualClock batched_clock(1000000), single_clock(1000000);
  SimMachine batched(test::mixed_sampling(), batched_clock), single(test::mixed_sampling(), single_clock);
  std::vector<uint64_t> addrs;
  std::mt19937_64 rng(9);
  for (const AddrRange& r : batched.phys_ranges()) {
    for (int i = 0; i < 2000; ++i) addrs.push_back(r.start + rng() % r.size());
  }
  std::sort(addrs.begin(), addrs.end());
  YoungBits a, b, one;
  batched.mkold(Space::phys(), addrs);
  for (uint64_t x : addrs) single.mkold(Space::phys(), std::span(&x, 1));
  batched_clock.advance(20000);
  single_clock.advance(20000);
  batched.young(Space::phys(), addrs, a);
  for (uint64_t x : addrs) {
    single.young(Space::phys(), std::span(&x, 1), one);
    b.push_back(one.at(0));
  }
  EXPECT_EQ(a, b);
  EXPECT_GT(std::count(a.begin(), a.end(), true), 0);
}

}  // namespace
}  // namespace damon::sim
