// SimMachine shared by several threads (kdamonds and readers), as in the
// daemon. Run under TSan to check the locking.
#include <gtest/gtest.h>

#include <thread>

#include "engine/machine/sim/sim_machine.h"
#include "tests/unit/sim/sim_test_util.h"

namespace damon::sim {
namespace {

using test::kPage;

TEST(SimThreads, ConcurrentSamplingActionsAndReadsKeepMemoryConsistent) {
  ManualClock clock;
  SimMachine m(default_scenario(), clock);
  const int pid = *m.pid_of("hotcold");
  AddrRange cold{};
  for (const RegionTruth& r : m.region_truth(pid)) {
    if (r.name == "cold") cold = r.vaddr;
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint64_t> addrs;
      for (int i = 0; i < 64; ++i) addrs.push_back(cold.start + ((t * 64 + i) * 97 % 4096) * kPage);
      YoungBits young;
      for (int round = 0; round < 200; ++round) {
        const Space space = t % 2 ? Space::process(pid) : Space::phys();
        if (t % 2) {
          m.mkold(space, addrs);
          m.young(space, addrs, young);
          m.migrate(space, addrs[round % addrs.size()], round % 2);
          m.pageout(space, addrs[(round + 1) % addrs.size()]);
        } else {
          m.nodes();
          m.region_truth(pid);
          m.folios(Space::process(pid), {cold.start, cold.start + 64 * kPage});
        }
        if (t == 0) clock.advance(1000);
      }
    });
  }
  for (auto& th : threads) th.join();
  // Every page of every process is on exactly one node or paged out.
  uint64_t used = 0, resident = 0;
  for (const NodeMemory& n : m.nodes()) used += n.total_bytes - n.free_bytes;
  for (const SimProcessInfo& p : m.processes()) {
    for (const RegionTruth& r : m.region_truth(p.pid)) {
      for (uint64_t b : r.resident_bytes) resident += b;
    }
  }
  EXPECT_EQ(used, resident);
}

}  // namespace
}  // namespace damon::sim
