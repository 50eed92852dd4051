// The simulated machine's nodes, watermarks and reverse map
// (physical_memory.h).
#include "engine/machine/sim/physical_memory.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/machine/machine.h"

namespace damon::sim {

PhysicalMemory::PhysicalMemory(const MachineSpec& machine) {
  uint64_t pfn = machine.phys_base / kPageSize;
  for (const NodeSpec& n : machine.nodes) {
    SimNode node;
    node.id = n.id;
    node.first_pfn = pfn;
    node.pages = n.capacity / kPageSize;
    node.latency_ns = n.latency_ns;
    node.bandwidth = n.bandwidth;
    node.has_cpu = n.has_cpu;
    frames_.add_node(pfn, node.pages);
    pfn += node.pages;
    nodes_.push_back(node);
  }
  hint_.assign(nodes_.size(), 0);
  set_min_watermarks(machine);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    // The "kernel" takes its memory first, at the start of the node.
    if (machine.nodes[i].reserved) frames_.take(i, machine.nodes[i].reserved / kPageSize);
    std::vector<size_t>& order = nodes_[i].fallback;
    order.resize(nodes_.size());
    std::iota(order.begin(), order.end(), size_t{0});
    // Spill to the fastest other nodes first.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if ((a == i) != (b == i)) return a == i;
      return nodes_[a].latency_ns < nodes_[b].latency_ns;
    });
  }
}

std::optional<size_t> PhysicalMemory::node_index(int id) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].id == id) return i;
  }
  return std::nullopt;
}

// The kernel sizes min_free_kbytes as sqrt(16 x memory in KiB), within
// [128 KiB, 256 MiB], counting only memory outside ZONE_MOVABLE
// (calculate_min_free_kbytes() via nr_free_buffer_pages()), and shares it
// among those nodes by size; a node onlined movable keeps only its size /
// 1024 pages, within [32, 128] (__setup_per_zone_wmarks()).
void PhysicalMemory::set_min_watermarks(const MachineSpec& machine) {
  uint64_t lowmem = 0;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (!machine.nodes[i].movable) lowmem += nodes_[i].pages;
  const uint64_t kib = std::clamp<uint64_t>(
      static_cast<uint64_t>(std::sqrt(static_cast<double>(lowmem * (kPageSize / 1024) * 16))), 128, 256 * 1024);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const SimNode& n = nodes_[i];
    if (machine.nodes[i].movable) {
      min_free_.push_back(std::clamp<uint64_t>(n.pages / 1024, 32, 128));
      continue;
    }
    const double share = static_cast<double>(n.pages) / static_cast<double>(lowmem);
    min_free_.push_back(static_cast<uint64_t>(static_cast<double>(kib * 1024 / kPageSize) * share));
  }
}

// The kernel's watermark distance (__setup_per_zone_wmarks()): the larger
// of min/4 and watermark_scale_factor (10, i.e. 0.1 %) of the node. Its
// high watermark is min + 2 gaps, the promotion watermark (WMARK_PROMO)
// one gap more.
uint64_t PhysicalMemory::watermark_gap(size_t node) const {
  return std::max(min_free_[node] / 4, nodes_[node].pages / 1000);
}

uint64_t PhysicalMemory::usable(size_t node) const {
  const uint64_t free = frames_.free_frames(node);
  return free > min_free_[node] ? free - min_free_[node] : 0;
}

std::vector<FrameRun> PhysicalMemory::allocate(size_t node, uint64_t pages, uint64_t align) {
  // Like the kernel's page allocator, never dig into the node's min
  // watermark: allocations spill to other nodes and migrations fail first.
  pages = std::min(pages, usable(node) / align * align);
  if (!pages) return {};
  auto runs = frames_.take(node, pages, align, align == 1 ? hint_[node] : 0);
  if (!runs.empty()) hint_[node] = runs.back().pfn + runs.back().count;
  return runs;
}

std::map<uint64_t, FrameOwner>::iterator PhysicalMemory::rmap_split(uint64_t pfn) {
  auto it = rmap_.upper_bound(pfn);
  if (it == rmap_.begin()) return it;
  --it;
  if (it->first == pfn) return it;
  const uint64_t off = pfn - it->first;
  if (off >= it->second.count) return std::next(it);
  FrameOwner right = it->second;
  right.count -= off;
  right.first += off;
  it->second.count = off;
  return rmap_.emplace_hint(std::next(it), pfn, std::move(right));
}

void PhysicalMemory::rmap_add(uint64_t pfn, FrameOwner owner) {
  auto joins = [](uint64_t a_pfn, const FrameOwner& a, uint64_t b_pfn, const FrameOwner& b) {
    return a_pfn + a.count == b_pfn && a.proc == b.proc && a.lazy == b.lazy && a.fs == b.fs &&
           a.first + a.count == b.first;
  };
  auto it = rmap_.emplace(pfn, std::move(owner)).first;
  if (it != rmap_.begin()) {
    auto prev = std::prev(it);
    if (joins(prev->first, prev->second, it->first, it->second)) {
      prev->second.count += it->second.count;
      rmap_.erase(it);
      it = prev;
    }
  }
  auto next = std::next(it);
  if (next != rmap_.end() && joins(it->first, it->second, next->first, next->second)) {
    it->second.count += next->second.count;
    rmap_.erase(next);
  }
}

void PhysicalMemory::rmap_erase(uint64_t pfn, uint64_t count) {
  rmap_split(pfn + count);
  auto first = rmap_split(pfn);
  auto last = rmap_.lower_bound(pfn + count);
  rmap_.erase(first, last);
}

std::optional<uint64_t> PhysicalMemory::next_owned(uint64_t pfn) const {
  auto it = rmap_.upper_bound(pfn);
  if (it != rmap_.begin() && std::prev(it)->first + std::prev(it)->second.count > pfn) --it;
  if (it == rmap_.end()) return std::nullopt;
  return std::max(pfn, it->first);
}

void PhysicalMemory::release_process(uint32_t proc) {
  for (auto it = rmap_.begin(); it != rmap_.end();) {
    if (it->second.proc == proc) {
      frames_.give_back(it->first, it->second.count);
      it = rmap_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace damon::sim
