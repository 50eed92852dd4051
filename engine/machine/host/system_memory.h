// System-wide memory facts for quota goals and watermarks, read fresh on
// every call (they are asked once per aggregation or watermark check).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/machine/host/proc_parse.h"
#include "engine/machine/machine.h"

namespace damon::host {

// Every NUMA node the kernel shows, from libnuma (node meminfo totals) and
// the node's cpulist; memory-only nodes have has_cpu false, CPU-only nodes
// total_bytes 0. Without NUMA support: one node 0 from /proc/meminfo.
std::vector<NodeMemory> numa_nodes(bool numa_available);

// /proc/pressure/memory "some" total, µs; 0 without PSI (CONFIG_PSI off, or
// booted with psi=0).
uint64_t memory_psi_some_total_us();

// "Active:" and "Inactive:" of /proc/meminfo, bytes.
struct LruTotals {
  uint64_t active = 0, inactive = 0;
};
LruTotals lru_totals();

// Transparent huge pages in use: "AnonHugePages:", "ShmemHugePages:" and
// "FileHugePages:" of /proc/meminfo, bytes (hugetlbfs pools are not counted:
// they are reserved apart from the memory in use).
uint64_t huge_page_bytes();

// Which node holds a physical address: the page frames each node's zones
// span (/proc/zoneinfo, read once: memory hot-plugged later is not seen).
class PhysNodeMap {
 public:
  PhysNodeMap();
  // -1 when no node claims the address.
  int node_of(uint64_t phys_addr) const;

 private:
  std::vector<NodeSpan> spans_;
};

}  // namespace damon::host
