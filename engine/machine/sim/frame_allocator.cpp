#include "engine/machine/sim/frame_allocator.h"

#include <cassert>

namespace damon::sim {

void FrameAllocator::add_node(uint64_t first, uint64_t count) {
  Node n;
  n.first = first;
  n.end = first + count;
  n.free = count;
  if (count) n.runs.emplace(first, count);
  nodes_.push_back(std::move(n));
}

int FrameAllocator::node_of(uint64_t pfn) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (pfn >= nodes_[i].first && pfn < nodes_[i].end) return static_cast<int>(i);
  }
  return -1;
}

// Removes [start, start + count) from the free run at `it`, which holds it.
void FrameAllocator::carve(Node& n, std::map<uint64_t, uint64_t>::iterator it, uint64_t start,
                           uint64_t count) {
  const uint64_t run_start = it->first, run_end = it->first + it->second;
  assert(start >= run_start && start + count <= run_end);
  n.runs.erase(it);
  if (start > run_start) n.runs.emplace(run_start, start - run_start);
  if (start + count < run_end) n.runs.emplace(start + count, run_end - start - count);
  n.free -= count;
}

std::vector<FrameRun> FrameAllocator::take(size_t index, uint64_t count, uint64_t align, uint64_t hint) {
  Node& n = nodes_[index];
  std::vector<FrameRun> out;
  auto add = [&out](uint64_t pfn, uint64_t c) {
    if (!out.empty() && out.back().pfn + out.back().count == pfn) {
      out.back().count += c;
    } else {
      out.push_back({pfn, c});
    }
  };
  // The hint first: continuing right where the previous allocation ended.
  if (align == 1 && hint && count) {
    auto it = n.runs.upper_bound(hint);
    if (it != n.runs.begin()) {
      --it;
      if (hint < it->first + it->second) {
        const uint64_t c = std::min(count, it->first + it->second - hint);
        carve(n, it, hint, c);
        add(hint, c);
        count -= c;
      }
    }
  }
  auto it = n.runs.begin();
  while (count && it != n.runs.end()) {
    const uint64_t run_start = it->first, run_end = it->first + it->second;
    const uint64_t start = (run_start + align - 1) / align * align;
    if (start + align > run_end) {
      ++it;
      continue;
    }
    uint64_t c = std::min(count, run_end - start);
    c -= c % align;
    const uint64_t next_key = start + c;  // the remainder of this run, if any, starts here
    carve(n, it, start, c);
    add(start, c);
    count -= c;
    it = n.runs.lower_bound(next_key);
  }
  return out;
}

void FrameAllocator::give_back(uint64_t pfn, uint64_t count) {
  if (!count) return;
  const int index = node_of(pfn);
  assert(index >= 0 && pfn + count <= nodes_[index].end);
  Node& n = nodes_[index];
  uint64_t start = pfn, len = count;
  auto next = n.runs.lower_bound(pfn);
  assert(next == n.runs.end() || next->first >= pfn + count);
  if (next != n.runs.begin()) {
    auto prev = std::prev(next);
    assert(prev->first + prev->second <= pfn);
    if (prev->first + prev->second == pfn) {
      start = prev->first;
      len += prev->second;
      n.runs.erase(prev);
    }
  }
  if (next != n.runs.end() && next->first == pfn + count) {
    len += next->second;
    n.runs.erase(next);
  }
  n.runs.emplace(start, len);
  n.free += count;
}

}  // namespace damon::sim
