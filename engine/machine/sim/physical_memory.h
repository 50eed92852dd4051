// The physical memory of the simulated machine: its NUMA nodes, their free
// frames and watermarks, and the reverse map from frames to the process
// pages that own them.
//
// Like the extents (extent_map.h), the reverse map holds runs of frames,
// never single frames: an entry is a run owned by consecutive virtual
// pages of one process, or by consecutive ranks of one FaultSet (pages
// that came back after a pageout).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "engine/machine/sim/fault_set.h"
#include "engine/machine/sim/frame_allocator.h"
#include "engine/machine/sim/scenario.h"

namespace damon::sim {

struct SimNode {
  int id = 0;
  uint64_t first_pfn = 0, pages = 0;
  uint64_t latency_ns = 0;
  double bandwidth = 0;  // bytes per second, 0: unlimited
  bool has_cpu = true;
  std::vector<size_t> fallback;  // node indexes to allocate from, this one first
};

// Who owns a run of frames.
struct FrameOwner {
  uint64_t count = 0;
  uint32_t proc = 0;  // process index
  bool lazy = false;  // frames of a FaultSet's pages that came back
  uint64_t first = 0;  // virtual page (or, lazy, rank) of the run's first frame
  std::shared_ptr<FaultSet> fs;
};

class PhysicalMemory {
 public:
  // The machine's nodes, laid out from machine.phys_base in order, each with
  // its reserved memory taken and its min watermark set.
  explicit PhysicalMemory(const MachineSpec& machine);

  const std::vector<SimNode>& nodes() const { return nodes_; }
  // The index of the node with id `id`.
  std::optional<size_t> node_index(int id) const;
  uint64_t free_pages(size_t node) const { return frames_.free_frames(node); }
  // Frames kept free on a node: its min watermark.
  uint64_t min_free(size_t node) const { return min_free_[node]; }
  // The distance between a node's watermarks.
  uint64_t watermark_gap(size_t node) const;
  // Free frames an allocation may take: those above the min watermark.
  uint64_t usable(size_t node) const;

  // Takes up to `pages` frames of `node` (whole aligned blocks of `align`),
  // never below its min watermark, after the last allocation's frames when
  // align is 1. The frames are owned by nobody until rmap_add().
  std::vector<FrameRun> allocate(size_t node, uint64_t pages, uint64_t align);
  // Frees frames; their owner, if any, must have been erased.
  void give_back(uint64_t pfn, uint64_t count) { frames_.give_back(pfn, count); }

  // --- the reverse map ---
  // Frames [pfn, pfn + owner.count) are owned by `owner`; joins the runs
  // around that continue it.
  void rmap_add(uint64_t pfn, FrameOwner owner);
  // Frames [pfn, pfn + count) are owned by nobody.
  void rmap_erase(uint64_t pfn, uint64_t count);
  // The process page whose frame `pfn` is, or none (free or reserved).
  struct Page {
    uint32_t proc = 0;
    uint64_t vpage = 0;
  };
  // (Here for paddr sampling, which asks it for every sampled address.)
  std::optional<Page> page_of(uint64_t pfn) const {
    auto it = rmap_.upper_bound(pfn);
    if (it == rmap_.begin()) return std::nullopt;
    --it;
    const FrameOwner& o = it->second;
    if (pfn >= it->first + o.count) return std::nullopt;
    const uint64_t first = o.first + (pfn - it->first);
    return Page{o.proc, o.lazy ? o.fs->vpage_of(first) : first};
  }
  // The first owned frame at or after `pfn`, or none.
  std::optional<uint64_t> next_owned(uint64_t pfn) const;
  // Frees every frame process `proc` owns.
  void release_process(uint32_t proc);

 private:
  std::map<uint64_t, FrameOwner>::iterator rmap_split(uint64_t pfn);
  void set_min_watermarks(const MachineSpec& machine);

  std::vector<SimNode> nodes_;
  FrameAllocator frames_;
  std::vector<uint64_t> hint_;      // per node: where the last allocation ended
  std::vector<uint64_t> min_free_;  // per node: frames kept free (the min watermark)
  std::map<uint64_t, FrameOwner> rmap_;  // first frame -> owner of frames [first, first + count)
};

}  // namespace damon::sim
