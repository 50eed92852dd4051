// Access sampling on a real process with each mechanism this kernel offers
// (the others are reported as skipped, with the reason).
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "engine/machine/host/access_sampler.h"
#include "tests/support/host_fixture.h"

namespace damon::host {
namespace {

using test::spread;

TEST(KernelFeatures, MatchWhatTheKernelExposes) {
  const KernelFeatures f = probe_kernel_features();
  std::printf("%s", f.describe().c_str());
  EXPECT_EQ(f.clear_refs, std::filesystem::exists("/proc/self/clear_refs"));
  if (!std::filesystem::exists("/sys/kernel/mm/page_idle/bitmap")) {
    EXPECT_FALSE(f.page_idle);
    EXPECT_NE(f.page_idle_missing.find("CONFIG_IDLE_PAGE_TRACKING"), std::string::npos);
  }
  if (::geteuid() == 0) {
    EXPECT_TRUE(f.page_flags);
    EXPECT_TRUE(f.cap_sys_nice);
  }
}

TEST(KernelFeatures, TheBestSamplerIsChosen) {
  const KernelFeatures f = probe_kernel_features();
  damon::test::RecordingLog log;
  HostMachine m(f, log);
  const SamplerInfo info = m.sampler();
  const std::optional<SamplerKind> best = best_sampler(f);
  ASSERT_TRUE(best);
  EXPECT_EQ(info.name, sampler_name(*best));
  EXPECT_FALSE(info.precision.empty());
  std::printf("sampler: %s: %s\n", info.name.c_str(), info.precision.c_str());
  if (f.page_idle) {
    EXPECT_EQ(info.name, "page_idle");
  } else if (f.soft_dirty) {
    EXPECT_EQ(info.name, "soft_dirty");
  } else {
    EXPECT_EQ(info.name, "clear_refs");
    EXPECT_NE(info.precision.find("per mapping"), std::string::npos);
  }
}

TEST(KernelFeatures, AnUnavailableSamplerIsRefusedWithTheReason) {
  const KernelFeatures f = probe_kernel_features();
  damon::test::RecordingLog log;
  for (SamplerKind k : {SamplerKind::page_idle, SamplerKind::soft_dirty, SamplerKind::clear_refs}) {
    if (sampler_available(k, f)) continue;
    try {
      HostMachine m(f, log, HostOptions{.sampler = k});
      ADD_FAILURE() << sampler_name(k) << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(sampler_name(k)), std::string::npos) << e.what();
    }
  }
}

class SamplerTest : public ::testing::TestWithParam<SamplerKind> {
 protected:
  void SetUp() override {
    const KernelFeatures f = probe_kernel_features();
    if (!sampler_available(GetParam(), f)) {
      // The describe() line of this mechanism says what the kernel lacks.
      const std::string all = f.describe();
      const size_t at = all.find(sampler_name(GetParam()));
      GTEST_SKIP() << all.substr(at, all.find('\n', at) - at);
    }
    sampler = make_sampler(GetParam());
    ASSERT_TRUE(sampler);
    workload = test::start_workload();
  }

  // Samples `addrs` over `ms` milliseconds.
  YoungBits sample(const std::vector<uint64_t>& addrs, int ms) {
    const Space space = Space::process(workload->pid());
    EXPECT_EQ(sampler->mkold(space, addrs), 0);
    test::sleep_ms(ms);
    YoungBits young;
    EXPECT_EQ(sampler->young(space, addrs, young), 0);
    return young;
  }

  std::unique_ptr<AccessSampler> sampler;
  std::unique_ptr<test::WorkloadProcess> workload;
};

TEST_P(SamplerTest, HotPagesAreYoungColdPagesAreNot) {
  const std::vector<uint64_t> hot = spread(workload->hot(), 16);
  const std::vector<uint64_t> cold = spread(workload->cold(), 16);
  const std::vector<uint64_t> file = spread(workload->file(), 16);
  std::vector<uint64_t> all = hot;
  all.insert(all.end(), cold.begin(), cold.end());
  all.insert(all.end(), file.begin(), file.end());
  // Let the writes of the setup age out first.
  sample(all, 20);
  int hot_young = 0, cold_young = 0;
  for (int round = 0; round < 5; ++round) {
    const YoungBits young = sample(all, 30);
    ASSERT_EQ(young.size(), all.size());
    hot_young += static_cast<int>(std::count(young.begin(), young.begin() + 16, true));
    cold_young += static_cast<int>(std::count(young.begin() + 16, young.end(), true));
  }
  // Hot pages are written every pass (well under 30 ms apart): seen in
  // nearly every sample; the cold and file pages never.
  EXPECT_GE(hot_young, 5 * 16 * 9 / 10) << sampler_name(GetParam());
  EXPECT_EQ(cold_young, 0) << sampler_name(GetParam());
}

TEST_P(SamplerTest, UnmappedAddressesAreNotYoung) {
  const std::vector<uint64_t> holes = {0x1000, workload->hot().start - kPageSize};
  const YoungBits young = sample(holes, 10);
  EXPECT_EQ(young, YoungBits(2, false));
}

TEST_P(SamplerTest, TestAndClearYoungSeesTheHotPage) {
  const Space space = Space::process(workload->pid());
  const uint64_t hot = workload->hot().start;
  const uint64_t cold = workload->cold().start;
  sample({hot, cold}, 30);
  bool young = false;
  ASSERT_EQ(sampler->test_and_clear_young(space, hot, young), 0);
  EXPECT_TRUE(young);
  ASSERT_EQ(sampler->test_and_clear_young(space, cold, young), 0);
  EXPECT_FALSE(young);
}

TEST_P(SamplerTest, AGoneProcessReadsNotYoung) {
  const Space space = Space::process(workload->pid());
  const std::vector<uint64_t> addrs = {workload->hot().start};
  workload->stop();
  sampler->mkold(space, addrs);
  YoungBits young;
  const int err = sampler->young(space, addrs, young);
  EXPECT_TRUE(err == 0 || err == ENOENT || err == ESRCH) << err;
  EXPECT_EQ(young, YoungBits{false});
}

INSTANTIATE_TEST_SUITE_P(Kinds, SamplerTest,
                         ::testing::Values(SamplerKind::page_idle, SamplerKind::soft_dirty,
                                           SamplerKind::clear_refs),
                         [](const auto& info) { return std::string(sampler_name(info.param)); });

// The clear_refs sampler's documented limit: one answer per mapping. This
// process touches one page of a mapping; every address of it reads young.
TEST(ReferencedSampler, OneAnswerPerMapping) {
  if (!probe_kernel_features().clear_refs) GTEST_SKIP() << "no /proc/PID/clear_refs";
  constexpr size_t kSize = 4 << 20;
  // PROT_NONE guard pages on both sides keep it from merging with a
  // neighbouring mapping this process may touch meanwhile.
  auto* res = static_cast<char*>(
      ::mmap(nullptr, kSize + 2 * kPageSize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(res, MAP_FAILED);
  char* p = res + kPageSize;
  ASSERT_EQ(::mprotect(p, kSize, PROT_READ | PROT_WRITE), 0);
  // All but its last page, which is touched after mkold: a write to a page
  // the CPU still had a translation for left the accessed bit clear after
  // clear_refs in 3 % of runs on this machine (a VM), in plain C too; a
  // page's first touch faults it in with its bit set.
  std::memset(p, 1, kSize - kPageSize);
  const AddrRange mapping{reinterpret_cast<uintptr_t>(p), reinterpret_cast<uintptr_t>(p) + kSize};
  auto sampler = make_sampler(SamplerKind::clear_refs);
  const Space self = Space::process(::getpid());
  const std::vector<uint64_t> addrs = spread(mapping, 8);
  ASSERT_EQ(sampler->mkold(self, addrs), 0);
  YoungBits young;
  ASSERT_EQ(sampler->young(self, addrs, young), 0);
  EXPECT_EQ(young, YoungBits(8, false));
  static_cast<volatile char*>(p)[kSize - kPageSize] = 2;
  ASSERT_EQ(sampler->young(self, addrs, young), 0);
  EXPECT_EQ(young, YoungBits(8, true));
  ::munmap(res, kSize + 2 * kPageSize);
}

}  // namespace
}  // namespace damon::host
