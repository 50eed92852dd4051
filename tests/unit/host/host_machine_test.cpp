// HostMachine on a real workload process: mappings, liveness, folios and
// the DAMOS actions, measured from what the kernel reports afterwards.
#include "engine/machine/host/host_machine.h"

#include <gtest/gtest.h>
#include <numa.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>

#include "engine/machine/host/page_tables.h"
#include "engine/machine/host/proc_parse.h"
#include "tests/support/host_fixture.h"

namespace damon::host {
namespace {

constexpr uint64_t kMiB = 1 << 20;

class HostMachineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    machine = std::make_unique<HostMachine>(log);
    workload = test::start_workload();
  }
  Space space() const { return Space::process(workload->pid()); }

  damon::test::RecordingLog log;
  std::unique_ptr<HostMachine> machine;
  std::unique_ptr<test::WorkloadProcess> workload;
};

const Vma* find_vma(const std::vector<Vma>& vmas, AddrRange r) {
  for (const Vma& v : vmas)
    if (v.start == r.start && v.end == r.end) return &v;
  return nullptr;
}

TEST_F(HostMachineTest, VmasAreTheWorkloadsMappings) {
  const std::vector<Vma> vmas = machine->vmas(workload->pid());
  ASSERT_TRUE(std::is_sorted(vmas.begin(), vmas.end(),
                             [](const Vma& a, const Vma& b) { return a.end <= b.start; }));
  const Vma* hot = find_vma(vmas, workload->hot());
  const Vma* cold = find_vma(vmas, workload->cold());
  const Vma* file = find_vma(vmas, workload->file());
  ASSERT_TRUE(hot && cold && file);
  EXPECT_TRUE(hot->anon);
  EXPECT_TRUE(cold->anon);
  EXPECT_FALSE(file->anon);
  EXPECT_EQ(file->pgoff, 0u);
  EXPECT_NE(file->name.find("host_workload."), std::string::npos) << file->name;
  EXPECT_TRUE(machine->vmas(1 << 30).empty());  // no such process
}

TEST_F(HostMachineTest, TaskExistsUntilReaped) {
  const int pid = workload->pid();
  EXPECT_TRUE(machine->task_exists(pid));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, pid, &info, WEXITED | WNOWAIT), 0);  // a zombie now
  EXPECT_TRUE(machine->task_exists(pid));                        // as get_pid_task()
  EXPECT_TRUE(machine->vmas(pid).empty());
  workload->stop();  // reaps it
  EXPECT_FALSE(machine->task_exists(pid));
  EXPECT_FALSE(machine->task_exists(1 << 30));
}

TEST_F(HostMachineTest, PhysRangesAreSystemRam) {
  const std::vector<AddrRange> ranges = machine->phys_ranges();
  if (::geteuid() != 0) {
    EXPECT_TRUE(ranges.empty());
    return;
  }
  ASSERT_FALSE(ranges.empty());
  uint64_t total = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_LT(ranges[i].start, ranges[i].end);
    if (i) {
      EXPECT_LE(ranges[i - 1].end, ranges[i].start);
    }
    total += ranges[i].size();
  }
  std::ifstream meminfo("/proc/meminfo");
  std::string text((std::istreambuf_iterator<char>(meminfo)), {});
  // MemTotal leaves out what the kernel reserved at boot: a little less.
  const uint64_t mem_total = meminfo_bytes(text, "MemTotal").value();
  EXPECT_GE(total, mem_total);
  EXPECT_LE(total, mem_total + mem_total / 10);
}

TEST_F(HostMachineTest, PaddrOnlyWithIdlePageTracking) {
  EXPECT_TRUE(machine->supports(OpsId::vaddr));
  EXPECT_TRUE(machine->supports(OpsId::fvaddr));
  EXPECT_EQ(machine->supports(OpsId::paddr), machine->features().page_idle);
  EXPECT_EQ(machine->unsupported_reason(OpsId::vaddr), "");
  if (!machine->features().page_idle) {
    const std::string why = machine->unsupported_reason(OpsId::paddr);
    EXPECT_NE(why.find("idle page tracking"), std::string::npos) << why;
    EXPECT_NE(why.find(machine->features().page_idle_missing), std::string::npos) << why;
  }
}

TEST_F(HostMachineTest, FoliosOfTheHotMapping) {
  const std::vector<FolioInfo> folios = machine->folios(space(), workload->hot());
  uint64_t bytes = 0;
  for (const FolioInfo& f : folios) {
    EXPECT_TRUE(f.present);
    EXPECT_TRUE(f.anon);
    EXPECT_EQ(f.node, numa_available() == -1 ? -1 : 0) << std::hex << f.addr;
    bytes += f.size;
  }
  EXPECT_EQ(bytes, workload->hot().size());
  ASSERT_TRUE(
      std::is_sorted(folios.begin(), folios.end(),
                     [](const FolioInfo& a, const FolioInfo& b) { return a.addr < b.addr; }));
  // The memcg is the workload's (the one this test runs in).
  std::ifstream cg("/proc/self/cgroup");
  std::string text((std::istreambuf_iterator<char>(cg)), {});
  const bool v1 = text.find(":memory:") != std::string::npos;
  EXPECT_EQ(folios.front().memcg, memory_cgroup_of(text, v1).value_or("?"));
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

// Physical memory's folios (what paddr's actions and filters see), where
// page frame numbers and flags are readable (root).
TEST_F(HostMachineTest, PhysicalFolioOfAWorkloadPage) {
  if (!machine->features().page_flags) GTEST_SKIP() << "page flags need root";
  Pagemap pagemap;
  std::vector<PagemapEntry> entry;
  const uint64_t hot = workload->hot().start + 5 * kPageSize;
  ASSERT_EQ(pagemap.open(workload->pid()), 0);
  ASSERT_EQ(pagemap.entries({&hot, 1}, entry), 0);
  const uint64_t pa = entry[0].pfn() * kPageSize;
  ASSERT_NE(pa, 0u);
  const std::vector<FolioInfo> phys = machine->folios(Space::phys(), {pa, pa + 1});
  const std::vector<FolioInfo> virt = machine->folios(space(), {hot, hot + 1});
  ASSERT_EQ(phys.size(), 1u);
  ASSERT_EQ(virt.size(), 1u);
  EXPECT_TRUE(phys[0].present);
  EXPECT_TRUE(phys[0].anon);
  EXPECT_TRUE(phys[0].mapped);
  EXPECT_EQ(phys[0].size, virt[0].size);
  EXPECT_EQ(phys[0].addr, pa - (hot - virt[0].addr));
  EXPECT_EQ(phys[0].node, virt[0].node);
  EXPECT_EQ(phys[0].memcg, virt[0].memcg);
  EXPECT_EQ(phys[0].active, virt[0].active);
}

TEST_F(HostMachineTest, FoliosOfTheFileMappingAreNotAnon) {
  const std::vector<FolioInfo> folios = machine->folios(space(), workload->file());
  ASSERT_FALSE(folios.empty());
  for (const FolioInfo& f : folios) EXPECT_FALSE(f.anon) << std::hex << f.addr;
  // Part of the mapping: the folios overlapping it, whole (file systems
  // with large folios put several pages in one).
  const AddrRange part{workload->file().start + 3 * kPageSize,
                       workload->file().start + 5 * kPageSize};
  const std::vector<FolioInfo> some = machine->folios(space(), part);
  ASSERT_FALSE(some.empty());
  EXPECT_LE(some.front().addr, part.start);
  EXPECT_GT(some.front().addr + some.front().size, part.start);
  EXPECT_GE(some.back().addr + some.back().size, part.end);
  EXPECT_LT(some.back().addr, part.end);
  for (size_t i = 1; i < some.size(); ++i)
    EXPECT_EQ(some[i - 1].addr + some[i - 1].size, some[i].addr);
  std::printf("file folio holding page 3: %lu KiB\n",
              static_cast<unsigned long>(some.front().size >> 10));
}

TEST_F(HostMachineTest, PageoutDropsTheFileMappingsResidentPages) {
  const AddrRange file = workload->file();
  const uint64_t before = workload->smaps_field(file.start, "Rss");
  ASSERT_EQ(before, file.size());
  EXPECT_EQ(machine->madvise(workload->pid(), file, Action::pageout), file.size());
  const uint64_t after = workload->smaps_field(file.start, "Rss");
  std::printf("file mapping Rss: %lu KiB before pageout, %lu KiB after\n",
              static_cast<unsigned long>(before / 1024), static_cast<unsigned long>(after / 1024));
  EXPECT_LT(after, before / 10);
}

TEST_F(HostMachineTest, PageoutOfOneFolio) {
  const uint64_t page = workload->file().start + 7 * kPageSize;
  ASSERT_EQ(machine->folios(space(), {page, page + 1}).size(), 1u);
  EXPECT_TRUE(machine->pageout(space(), page));
  EXPECT_TRUE(machine->folios(space(), {page, page + 1}).empty());       // no longer resident
  EXPECT_FALSE(machine->set_lru(space(), workload->hot().start, true));  // no interface
}

TEST_F(HostMachineTest, AdvicesOverAMappingAndAHole) {
  const int pid = workload->pid();
  EXPECT_EQ(machine->madvise(pid, workload->cold(), Action::cold), workload->cold().size());
  EXPECT_EQ(machine->madvise(pid, workload->cold(), Action::willneed), workload->cold().size());
  // The guard page between hot and cold is PROT_NONE but mapped; a range
  // reaching into unmapped space fails as a whole, like the kernel DAMON's.
  EXPECT_EQ(machine->madvise(pid, {0x1000, 0x3000}, Action::cold), 0u);
  EXPECT_EQ(log.lines(), std::vector<std::string>{});  // holes are routine, not logged
}

TEST_F(HostMachineTest, CollapseMakesHugePages) {
  const AddrRange two_mib{workload->hot().start, workload->hot().start + 2 * kMiB};
  ASSERT_EQ(workload->smaps_field(workload->hot().start, "AnonHugePages"), 0u);
  const uint64_t applied = machine->madvise(workload->pid(), two_mib, Action::collapse);
  if (applied == 0 && log.count("MADV_COLLAPSE")) GTEST_SKIP() << log.lines().front();
  EXPECT_EQ(applied, two_mib.size());
  EXPECT_GE(workload->smaps_field(workload->hot().start, "AnonHugePages"), 2 * kMiB);
  // The folio query sees one 2 MiB folio there (when page flags are readable).
  if (machine->features().page_flags) {
    const std::vector<FolioInfo> f =
        machine->folios(space(), {two_mib.start + kPageSize, two_mib.start + 2 * kPageSize});
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].addr, two_mib.start);
    EXPECT_EQ(f[0].size, 2 * kMiB);
  }
}

TEST_F(HostMachineTest, HugepageAdvicesAreTriedNeverAppliedAndLoggedOnce) {
  const int pid = workload->pid();
  EXPECT_EQ(machine->madvise(pid, workload->hot(), Action::hugepage), 0u);
  EXPECT_EQ(machine->madvise(pid, workload->hot(), Action::hugepage), 0u);
  EXPECT_EQ(machine->madvise(pid, workload->hot(), Action::nohugepage), 0u);
  EXPECT_EQ(log.count("hugepage:"), 2u);  // "hugepage" and "nohugepage", once each
  EXPECT_EQ(log.count("pid " + std::to_string(pid)), 2u);
}

TEST_F(HostMachineTest, MigrateToNodeZeroAndToNoNode) {
  if (numa_available() == -1) GTEST_SKIP() << "no NUMA support in this kernel";
  const uint64_t page = workload->hot().start;
  EXPECT_TRUE(machine->migrate(space(), page, 0));
  EXPECT_EQ(machine->folios(space(), {page, page + 1}).at(0).node, 0);
  // A node that does not exist: nothing moves; move_pages refuses (logged).
  EXPECT_FALSE(machine->migrate(space(), page, numa_max_node() + 1));
  EXPECT_EQ(machine->folios(space(), {page, page + 1}).at(0).node, 0);
  EXPECT_FALSE(machine->migrate(Space::phys(), page, 0));  // physical: no interface
}

TEST_F(HostMachineTest, AGoneProcessHasNothingAndLogsNothing) {
  const int pid = workload->pid();
  const AddrRange hot = workload->hot();
  workload->stop();
  EXPECT_TRUE(machine->vmas(pid).empty());
  EXPECT_TRUE(machine->folios(Space::process(pid), hot).empty());
  EXPECT_EQ(machine->madvise(pid, hot, Action::pageout), 0u);
  EXPECT_FALSE(machine->migrate(Space::process(pid), hot.start, 0));
  YoungBits young;
  machine->mkold(Space::process(pid), std::vector<uint64_t>{hot.start});
  machine->young(Space::process(pid), std::vector<uint64_t>{hot.start}, young);
  EXPECT_EQ(young, YoungBits{false});
  EXPECT_EQ(log.lines(), std::vector<std::string>{});
}

// The checks of PermissionFailuresAreLoggedOncePerTarget, as `nobody`:
// the number that failed.
int run_unprivileged(int root_pid, AddrRange file) {
  int failures = 0;
  auto check = [&](bool ok, const char* what) {
    if (!ok) std::fprintf(stderr, "  check failed: %s\n", what);
    failures += !ok;
  };
  damon::test::RecordingLog child_log;
  HostMachine m(child_log, HostOptions{.sampler = SamplerKind::clear_refs});
  // The same user's process: ptrace access, but no CAP_SYS_NICE.
  auto own = test::start_workload({.hot_mib = 4, .cold_mib = 4, .file_mib = 0, .pause_us = 500});
  const int own_pid = own->pid();
  for (int i = 0; i < 2; ++i) {
    // Root's process: no access at all.
    check(m.madvise(root_pid, file, Action::pageout) == 0, "pageout root");
    check(!m.migrate(Space::process(root_pid), file.start, 0), "migrate root");
    YoungBits young;
    m.mkold(Space::process(root_pid), std::vector<uint64_t>{file.start});
    m.young(Space::process(root_pid), std::vector<uint64_t>{file.start}, young);
    check(young == YoungBits{false}, "young root");
    check(m.vmas(root_pid).empty(), "vmas root");
    check(m.madvise(own_pid, own->cold(), Action::pageout) == 0, "pageout own");
  }
  // What the same user may do still works.
  check(!m.vmas(own_pid).empty(), "vmas own");
  if (numa_available() != -1)
    check(m.migrate(Space::process(own_pid), own->hot().start, 0), "migrate own");
  for (const std::string& l : child_log.lines()) std::fprintf(stderr, "  logged: %s\n", l.c_str());
  const std::string root = "pid " + std::to_string(root_pid) + ": ";
  const std::string mine = "pid " + std::to_string(own_pid) + ": ";
  check(
      child_log.count(
          root + "process_madvise(MADV_PAGEOUT): Permission denied (needs ptrace read access") == 1,
      "pageout root logged once");
  check(child_log.count(root + "move_pages: Operation not permitted") == 1,
        "migrate root logged once");
  check(child_log.count(root + "clearing accessed bits (clear_refs): Permission denied") == 1,
        "mkold root logged once");
  check(child_log.count(root + "reading /proc/PID/maps: Permission denied") == 1,
        "maps logged once");
  check(
      child_log.count(
          mine + "process_madvise(MADV_PAGEOUT): Operation not permitted (needs CAP_SYS_NICE") == 1,
      "pageout own logged once");
  check(child_log.count(mine) == 1, "nothing else failed on the own process");
  return failures;
}

// Without privileges every operation reports nothing done and says why in
// the log, once per process and operation. Runs as `nobody` in a child
// process, against the test's (root's) workload and one of its own.
TEST_F(HostMachineTest, PermissionFailuresAreLoggedOncePerTarget) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
  const int root_pid = workload->pid();
  const AddrRange file = workload->file();
  const uint64_t rss = workload->smaps_field(file.start, "Rss");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int failures = 0;
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(100);
    // setuid() made this process undumpable, which hands its own /proc
    // files to root; a process started as nobody would be dumpable.
    ::prctl(PR_SET_DUMPABLE, 1);
    try {
      failures = run_unprivileged(root_pid, file);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "  %s\n", e.what());
      ::_exit(101);
    }
    ::_exit(failures);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "failed checks (100: could not drop privileges, 101: exception)";
  EXPECT_EQ(workload->smaps_field(file.start, "Rss"), rss);  // nothing was paged out
}

}  // namespace
}  // namespace damon::host
