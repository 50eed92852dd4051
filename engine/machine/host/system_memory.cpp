#include "engine/machine/host/system_memory.h"

#include <numa.h>
#include <unistd.h>

#include <string>

#include "engine/machine/host/proc_io.h"
#include "engine/machine/host/proc_parse.h"

namespace damon::host {

namespace {

const std::string kNodeDir = "/sys/devices/system/node/node";

bool node_has_cpu(int nid) {
  const std::optional<std::string> cpus = read_text(kNodeDir + std::to_string(nid) + "/cpulist");
  return cpus && cpulist_has_cpu(*cpus);
}

}  // namespace

std::vector<NodeMemory> numa_nodes(bool numa_available) {
  std::vector<NodeMemory> out;
  if (!numa_available) {
    const std::optional<std::string> meminfo = read_text("/proc/meminfo");
    if (!meminfo) return out;
    out.push_back(NodeMemory{.id = 0,
                             .total_bytes = meminfo_bytes(*meminfo, "MemTotal").value_or(0),
                             .free_bytes = meminfo_bytes(*meminfo, "MemFree").value_or(0),
                             .has_cpu = true});
    return out;
  }
  for (int nid = 0; nid <= ::numa_max_node(); ++nid) {
    if (::access((kNodeDir + std::to_string(nid)).c_str(), F_OK) != 0) continue;
    long long free_bytes = 0;
    const long long total = ::numa_node_size64(nid, &free_bytes);
    if (total < 0) continue;
    out.push_back(NodeMemory{.id = nid,
                             .total_bytes = static_cast<uint64_t>(total),
                             .free_bytes = static_cast<uint64_t>(free_bytes < 0 ? 0 : free_bytes),
                             .has_cpu = node_has_cpu(nid)});
  }
  return out;
}

uint64_t memory_psi_some_total_us() {
  const std::optional<std::string> text = read_text("/proc/pressure/memory");
  if (!text) return 0;
  return psi_some_total_us(*text).value_or(0);
}

LruTotals lru_totals() {
  const std::optional<std::string> meminfo = read_text("/proc/meminfo");
  if (!meminfo) return {};
  return {meminfo_bytes(*meminfo, "Active").value_or(0),
          meminfo_bytes(*meminfo, "Inactive").value_or(0)};
}

uint64_t huge_page_bytes() {
  const std::optional<std::string> meminfo = read_text("/proc/meminfo");
  if (!meminfo) return 0;
  uint64_t bytes = 0;
  for (const char* key : {"AnonHugePages", "ShmemHugePages", "FileHugePages"})
    bytes += meminfo_bytes(*meminfo, key).value_or(0);
  return bytes;
}

PhysNodeMap::PhysNodeMap() {
  if (const std::optional<std::string> zoneinfo = read_text("/proc/zoneinfo"))
    spans_ = zoneinfo_node_spans(*zoneinfo);
}

int PhysNodeMap::node_of(uint64_t phys_addr) const {
  // A handful of spans. Where a node's span encloses another node's (nodes
  // interleaved in physical memory), the inner one is the more precise.
  const uint64_t pfn = phys_addr / kPageSize;
  const NodeSpan* best = nullptr;
  for (const NodeSpan& s : spans_) {
    if (s.start_pfn <= pfn && pfn < s.end_pfn && (!best || s.start_pfn > best->start_pfn))
      best = &s;
  }
  return best ? best->nid : -1;
}

}  // namespace damon::host
