#include "engine/machine/host/system_memory.h"

#include <numa.h>
#include <unistd.h>

#include <filesystem>
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

PhysNodeMap::PhysNodeMap() {
  namespace fs = std::filesystem;
  const std::optional<std::string> block = read_text("/sys/devices/system/memory/block_size_bytes");
  if (!block) return;
  block_bytes_ = std::stoull(*block, nullptr, 16);
  if (!block_bytes_) return;
  std::error_code ec;
  for (const fs::directory_entry& node : fs::directory_iterator("/sys/devices/system/node", ec)) {
    const std::string name = node.path().filename().string();
    if (name.rfind("node", 0) != 0 || name.size() == 4 ||
        name.find_first_not_of("0123456789", 4) != std::string::npos)
      continue;
    const int nid = std::stoi(name.substr(4));
    std::error_code ec2;
    for (const fs::directory_entry& e : fs::directory_iterator(node.path(), ec2)) {
      const std::string m = e.path().filename().string();
      if (m.rfind("memory", 0) != 0 || m.size() == 6 ||
          m.find_first_not_of("0123456789", 6) != std::string::npos)
        continue;
      const size_t idx = std::stoull(m.substr(6));
      if (node_of_block_.size() <= idx) node_of_block_.resize(idx + 1, -1);
      node_of_block_[idx] = nid;
    }
  }
}

int PhysNodeMap::node_of(uint64_t phys_addr) const {
  if (!block_bytes_) return -1;
  const uint64_t idx = phys_addr / block_bytes_;
  return idx < node_of_block_.size() ? node_of_block_[idx] : -1;
}

}  // namespace damon::host
