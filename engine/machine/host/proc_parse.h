// Parsers for the text the kernel publishes in /proc and /sys. Pure
// functions over the file contents, so they are tested on fixed text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon::host {

// /proc/PID/maps, in file order (already sorted and non-overlapping). A
// mapping without an inode is anonymous; for those the page offset is the
// mapping's own first page, which is what the kernel keeps as vm_pgoff for
// a private anonymous mapping (the maps file prints 0 instead).
std::vector<Vma> parse_maps(std::string_view text);

// One mapping of /proc/PID/smaps with its "Referenced:" and "Rss:" sizes.
struct SmapsEntry {
  uint64_t start = 0, end = 0;
  uint64_t rss_bytes = 0;
  uint64_t referenced_bytes = 0;
  uint64_t anon_huge_bytes = 0;
};
std::vector<SmapsEntry> parse_smaps(std::string_view text);

// "Key:   123 kB" lines of /proc/meminfo, and "Node N Key: 123 kB" lines of
// /sys/devices/system/node/nodeN/meminfo. Bytes; nullopt when absent.
std::optional<uint64_t> meminfo_bytes(std::string_view text, std::string_view key);

// "some ... total=N" of /proc/pressure/memory, microseconds.
std::optional<uint64_t> psi_some_total_us(std::string_view text);

// Top-level "System RAM" ranges of /proc/iomem, half-open, sorted. Without
// CAP_SYS_ADMIN the kernel prints zeros: those ranges are left out.
std::vector<AddrRange> iomem_system_ram(std::string_view text);

// The page frames each node's zones span, from /proc/zoneinfo, sorted by
// start. A span may have holes, and on machines whose nodes interleave in
// physical memory, other nodes' spans inside it.
struct NodeSpan {
  uint64_t start_pfn = 0, end_pfn = 0;
  int nid = 0;
};
std::vector<NodeSpan> zoneinfo_node_spans(std::string_view text);

// Whether a cpulist ("0-3,8") names at least one CPU.
bool cpulist_has_cpu(std::string_view text);

// LRU bytes (active + inactive, anon + file) of node `nid` in a memcg's
// memory.numa_stat: cgroup v2 prints "active_anon N0=<bytes> ...", cgroup v1
// prints "hierarchical_anon=<pages> N0=<pages> ..." (the LRU lists, counted
// over the subtree, as the kernel's per-memcg lruvec counters are).
// nullopt when the node is not listed.
std::optional<uint64_t> numa_stat_v2_lru_bytes(std::string_view text, int nid);
std::optional<uint64_t> numa_stat_v1_lru_bytes(std::string_view text, int nid, uint64_t page_size);

// The memory controller's cgroup of a process from /proc/PID/cgroup: the
// v1 line naming "memory" (`v1`), else the v2 "0::" line. "" for the root.
std::optional<std::string> memory_cgroup_of(std::string_view proc_cgroup_text, bool v1);

}  // namespace damon::host
