// Goal metrics and watermark inputs from the real system, against the
// kernel's own figures (numastat reads the same node meminfo files).
#include <gtest/gtest.h>
#include <numa.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "engine/machine/host/host_machine.h"
#include "engine/machine/host/proc_parse.h"
#include "tests/support/host_fixture.h"

namespace damon::host {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

uint64_t differ(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

class SystemMemoryTest : public ::testing::Test {
 protected:
  damon::test::RecordingLog log;  // declared first: the machine keeps it
  HostMachine machine{log};
};

TEST_F(SystemMemoryTest, NodesMatchNodeMeminfo) {
  if (numa_available() == -1) GTEST_SKIP() << "no NUMA support";
  const std::vector<NodeMemory> nodes = machine.nodes();
  size_t sysfs_nodes = 0;
  for (const auto& e : std::filesystem::directory_iterator("/sys/devices/system/node"))
    sysfs_nodes += e.path().filename().string().rfind("node", 0) == 0 &&
                   std::isdigit(e.path().filename().string().back());
  ASSERT_EQ(nodes.size(), sysfs_nodes);
  for (const NodeMemory& n : nodes) {
    const std::string dir = "/sys/devices/system/node/node" + std::to_string(n.id);
    const std::string meminfo = slurp(dir + "/meminfo");
    EXPECT_EQ(n.total_bytes, meminfo_bytes(meminfo, "MemTotal").value()) << n.id;
    // Free memory moves while the test runs.
    EXPECT_LE(differ(n.free_bytes, meminfo_bytes(meminfo, "MemFree").value()), n.total_bytes / 50)
        << n.id;
    EXPECT_LE(n.free_bytes, n.total_bytes);
    EXPECT_EQ(n.has_cpu, cpulist_has_cpu(slurp(dir + "/cpulist"))) << n.id;
    std::printf("node %d: %lu MiB, %lu MiB free, %s\n", n.id,
                static_cast<unsigned long>(n.total_bytes >> 20),
                static_cast<unsigned long>(n.free_bytes >> 20), n.has_cpu ? "CPUs" : "no CPUs");
  }
}

TEST_F(SystemMemoryTest, LruSizesMatchMeminfo) {
  const uint64_t active = machine.active_lru_bytes();
  const uint64_t inactive = machine.inactive_lru_bytes();
  const std::string meminfo = slurp("/proc/meminfo");
  const uint64_t total = meminfo_bytes(meminfo, "MemTotal").value();
  EXPECT_GT(active + inactive, 0u);
  EXPECT_LE(differ(active, meminfo_bytes(meminfo, "Active").value()), total / 100);
  EXPECT_LE(differ(inactive, meminfo_bytes(meminfo, "Inactive").value()), total / 100);
}

TEST_F(SystemMemoryTest, PsiIsTheSomeTotalAndNeverGoesBack) {
  const uint64_t first = machine.psi_some_total_us();
  if (!std::filesystem::exists("/proc/pressure/memory")) {
    EXPECT_EQ(first, 0u);
    return;
  }
  const uint64_t kernel = psi_some_total_us(slurp("/proc/pressure/memory")).value();
  const uint64_t second = machine.psi_some_total_us();
  EXPECT_LE(first, kernel);
  EXPECT_LE(kernel, second);
}

TEST_F(SystemMemoryTest, MemcgLruOfOurOwnMemcg) {
  const std::string cgroup = slurp("/proc/self/cgroup");
  MemcgTree tree;
  if (!tree.found()) GTEST_SKIP() << "no memory cgroup hierarchy mounted";
  const std::string path = memory_cgroup_of(cgroup, tree.v1()).value();
  // A workload in this memcg, so it has pages on node 0 for sure.
  auto workload =
      test::start_workload({.hot_mib = 16, .cold_mib = 16, .file_mib = 0, .pause_us = 500});
  const std::optional<uint64_t> lru = machine.memcg_node_lru_bytes(path, 0);
  ASSERT_TRUE(lru);
  const std::string stat_file = tree.mount_point() + path + "/memory.numa_stat";
  if (std::filesystem::exists(stat_file)) {
    const std::string stat = slurp(stat_file);
    const uint64_t kernel =
        (tree.v1() ? numa_stat_v1_lru_bytes(stat, 0, kPageSize) : numa_stat_v2_lru_bytes(stat, 0))
            .value();
    EXPECT_LE(differ(*lru, kernel), kernel / 20) << *lru << " vs " << kernel;
  }
  EXPECT_GE(*lru, 32u << 20);  // at least the workload's anonymous memory
  std::printf("memcg \"%s\" (cgroup %s): %lu MiB on node 0\n", path.c_str(),
              tree.v1() ? "v1" : "v2", static_cast<unsigned long>(*lru >> 20));
  EXPECT_FALSE(machine.memcg_node_lru_bytes("/no/such/memcg", 0));
  EXPECT_FALSE(machine.memcg_node_lru_bytes(path, 4096));  // no such node
}

TEST_F(SystemMemoryTest, MemcgTreeMapsInodesToPaths) {
  MemcgTree tree;
  if (!tree.found()) GTEST_SKIP() << "no memory cgroup hierarchy mounted";
  const std::string path = memory_cgroup_of(slurp("/proc/self/cgroup"), tree.v1()).value();
  struct stat st {};
  ASSERT_EQ(::stat((tree.mount_point() + path).c_str(), &st), 0);
  EXPECT_EQ(tree.path_of_inode(st.st_ino), path);
  EXPECT_FALSE(tree.path_of_inode(uint64_t{1} << 62));
}

}  // namespace
}  // namespace damon::host
