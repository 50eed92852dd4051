// Free physical page frames of each simulated NUMA node.
//
// Kept as sorted free runs (start frame -> length), so a machine of any size
// costs a handful of entries until memory gets fragmented, and every
// operation is O(log runs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace damon::sim {

struct FrameRun {
  uint64_t pfn = 0;
  uint64_t count = 0;
};

class FrameAllocator {
 public:
  // Adds the next node (indexes count from 0) owning frames [first, first + count), all free.
  void add_node(uint64_t first, uint64_t count);

  // Takes up to `count` frames from node `index`, lowest addresses first
  // (after `hint` when that frame is free, so growing allocations stay
  // contiguous). With align > 1 only whole aligned blocks of `align` frames
  // are taken and count must be a multiple of align. Returns the runs taken,
  // possibly fewer frames than asked when the node runs short.
  std::vector<FrameRun> take(size_t index, uint64_t count, uint64_t align = 1, uint64_t hint = 0);

  // Returns frames to the node that owns them.
  void give_back(uint64_t pfn, uint64_t count);

  uint64_t free_frames(size_t index) const { return nodes_[index].free; }
  // Node index owning a frame, or -1 outside every node.
  int node_of(uint64_t pfn) const;

 private:
  struct Node {
    uint64_t first = 0, end = 0;
    uint64_t free = 0;
    std::map<uint64_t, uint64_t> runs;  // start -> length, never adjacent
  };

  void carve(Node& n, std::map<uint64_t, uint64_t>::iterator it, uint64_t start, uint64_t count);

  std::vector<Node> nodes_;
};

}  // namespace damon::sim
