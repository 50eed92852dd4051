// The /proc and /sys parsers, on text as the kernel prints it.
#include "engine/machine/host/proc_parse.h"

#include <gtest/gtest.h>

namespace damon::host {
namespace {

TEST(ProcParse, MapsKeepsBoundsNamesAndFileOffsets) {
  const char* text =
      "55d4c2a00000-55d4c2a02000 r--p 00000000 fe:01 1837                       /usr/bin/cat\n"
      "55d4c2a02000-55d4c2a07000 r-xp 00002000 fe:01 1837                       /usr/bin/cat\n"
      "55d4c3c5e000-55d4c3c7f000 rw-p 00000000 00:00 0                          [heap]\n"
      "7f1c5a400000-7f1c5a600000 rw-p 00000000 00:00 0 \n"
      "7f1c5a800000-7f1c5a900000 r--s 00100000 fe:01 4242                       /tmp/a file "
      "(deleted)\n"
      "7ffd6f9b6000-7ffd6f9d7000 rw-p 00000000 00:00 0                          [stack]\n";
  const std::vector<Vma> v = parse_maps(text);
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(v[0].start, 0x55d4c2a00000u);
  EXPECT_EQ(v[0].end, 0x55d4c2a02000u);
  EXPECT_FALSE(v[0].anon);
  EXPECT_EQ(v[0].name, "/usr/bin/cat");
  EXPECT_EQ(v[1].pgoff, 2u);  // file offset 0x2000
  EXPECT_TRUE(v[2].anon);
  EXPECT_EQ(v[2].name, "[heap]");
  // Anonymous mappings: the kernel's vm_pgoff is the first page's number.
  EXPECT_EQ(v[3].pgoff, 0x7f1c5a400000u / kPageSize);
  EXPECT_EQ(v[3].name, "");
  EXPECT_EQ(v[4].name, "/tmp/a file (deleted)");
  EXPECT_EQ(v[4].pgoff, 0x100u);
  EXPECT_EQ(v[5].name, "[stack]");
}

TEST(ProcParse, SmapsSizesPerMapping) {
  const char* text =
      "7f1c5a400000-7f1c5a600000 rw-p 00000000 00:00 0 \n"
      "Size:               2048 kB\n"
      "Rss:                1024 kB\n"
      "Referenced:          512 kB\n"
      "AnonHugePages:      2048 kB\n"
      "VmFlags: rd wr mr mw me ac sd \n"
      "7f1c5a800000-7f1c5a900000 r--s 00100000 fe:01 4242    /tmp/x\n"
      "Rss:                   8 kB\n"
      "Referenced:            0 kB\n";
  const std::vector<SmapsEntry> s = parse_smaps(text);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].start, 0x7f1c5a400000u);
  EXPECT_EQ(s[0].rss_bytes, 1024u * 1024);
  EXPECT_EQ(s[0].referenced_bytes, 512u * 1024);
  EXPECT_EQ(s[0].anon_huge_bytes, 2048u * 1024);
  EXPECT_EQ(s[1].end, 0x7f1c5a900000u);
  EXPECT_EQ(s[1].rss_bytes, 8u * 1024);
  EXPECT_EQ(s[1].referenced_bytes, 0u);
}

TEST(ProcParse, MeminfoSystemAndNode) {
  const char* proc =
      "MemTotal:       24684084 kB\nMemFree:        21585152 kB\nActive:           846132 kB\n"
      "Active(anon):       1620 kB\nInactive:        1876700 kB\n";
  EXPECT_EQ(meminfo_bytes(proc, "MemTotal"), 24684084ull * 1024);
  EXPECT_EQ(meminfo_bytes(proc, "Active"), 846132ull * 1024);  // not Active(anon)
  EXPECT_EQ(meminfo_bytes(proc, "Inactive"), 1876700ull * 1024);
  EXPECT_FALSE(meminfo_bytes(proc, "SwapTotal"));
  const char* node = "Node 1 MemTotal:        7039180 kB\nNode 1 MemFree:         3940300 kB\n";
  EXPECT_EQ(meminfo_bytes(node, "MemFree"), 3940300ull * 1024);
}

TEST(ProcParse, PsiSomeTotal) {
  EXPECT_EQ(psi_some_total_us("some avg10=0.00 avg60=0.12 avg300=0.00 total=123456\n"
                              "full avg10=0.00 avg60=0.00 avg300=0.00 total=999\n"),
            123456u);
  EXPECT_FALSE(psi_some_total_us("full avg10=0.00 total=1\n"));
}

TEST(ProcParse, IomemTopLevelSystemRamOnly) {
  const char* text =
      "00000000-00000fff : Reserved\n"
      "00001000-0009fbff : System RAM\n"
      "00100000-bfffffff : System RAM\n"
      "  01000000-01ffffff : Kernel code\n"
      "100000000-63fffffff : System RAM\n";
  const std::vector<AddrRange> r = iomem_system_ram(text);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], (AddrRange{0x1000, 0x9fc00}));
  EXPECT_EQ(r[1], (AddrRange{0x100000, 0xc0000000}));
  EXPECT_EQ(r[2], (AddrRange{0x100000000, 0x640000000}));
  // What a process without CAP_SYS_ADMIN sees.
  EXPECT_TRUE(iomem_system_ram("00000000-00000000 : System RAM\n").empty());
}

TEST(ProcParse, ZoneinfoNodeSpans) {
  const char* text =
      "Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 1\n  pages free     3840\n"
      "        spanned  4095\n        present  3998\n  start_pfn:           1\n"
      "Node 0, zone    DMA32\n  pages free     1000\n        spanned  1044480\n"
      "  start_pfn:           4096\n"
      "Node 0, zone  Movable\n  pages free     0\n        spanned  0\n"
      "Node 1, zone   Normal\n  pages free     5\n        spanned  131072\n"
      "  start_pfn:           1048576\n";
  const std::vector<NodeSpan> spans = zoneinfo_node_spans(text);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].start_pfn, 1u);
  EXPECT_EQ(spans[0].end_pfn, 4096u);
  EXPECT_EQ(spans[1].end_pfn, 4096u + 1044480u);
  EXPECT_EQ(spans[2].nid, 1);
  EXPECT_EQ(spans[2].start_pfn, 1048576u);
  EXPECT_EQ(spans[2].end_pfn, 1048576u + 131072u);
}

TEST(ProcParse, Cpulist) {
  EXPECT_TRUE(cpulist_has_cpu("0-3,8\n"));
  EXPECT_FALSE(cpulist_has_cpu("\n"));
}

TEST(ProcParse, NumaStatV2SumsTheLruLists) {
  const char* text =
      "anon N0=4096 N1=8192\n"
      "file N0=1 N1=1\n"
      "inactive_anon N0=100 N1=200\n"
      "active_anon N0=1000 N1=2000\n"
      "inactive_file N0=10000 N1=20000\n"
      "active_file N0=100000 N1=200000\n"
      "unevictable N0=7 N1=7\n";
  EXPECT_EQ(numa_stat_v2_lru_bytes(text, 0), 111100u);
  EXPECT_EQ(numa_stat_v2_lru_bytes(text, 1), 222200u);
  EXPECT_FALSE(numa_stat_v2_lru_bytes(text, 2));
}

TEST(ProcParse, NumaStatV1UsesHierarchicalPages) {
  const char* text =
      "total=4704 N0=4704\nfile=103 N0=103\nanon=374 N0=374\nunevictable=4227 N0=4227\n"
      "hierarchical_total=799972 N0=799972\nhierarchical_file=625137 N0=625137\n"
      "hierarchical_anon=170608 N0=170608\nhierarchical_unevictable=4227 N0=4227\n";
  EXPECT_EQ(numa_stat_v1_lru_bytes(text, 0, 4096), (625137u + 170608u) * 4096ull);
  EXPECT_FALSE(numa_stat_v1_lru_bytes(text, 1, 4096));
}

TEST(ProcParse, MemoryCgroupOfAProcess) {
  const char* hybrid = "9:name=systemd:/\n4:memory:/process_api/abc\n3:cpuset:/\n0::/user.slice\n";
  EXPECT_EQ(memory_cgroup_of(hybrid, true), "/process_api/abc");
  EXPECT_EQ(memory_cgroup_of(hybrid, false), "/user.slice");
  EXPECT_EQ(memory_cgroup_of("5:cpu,memory:/\n", true), "");
  EXPECT_FALSE(memory_cgroup_of("0::/\n", true));
}

}  // namespace
}  // namespace damon::host
