// What DAMOS filters and actions need to know about the folios of a range:
// residency and anon/file from /proc/PID/pagemap, the node from a
// move_pages(2) status query, and, when root can read them, LRU state and
// folio size from /proc/kpageflags and the memcg from /proc/kpagecgroup.
//
// Without page frame numbers (not root) every page is its own 4 KiB folio,
// `active` reads false and a page's memcg is its process's memcg.
//
// Thread-safe (no state but open files and the shared memcg tree).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/machine/host/kernel_features.h"
#include "engine/machine/host/memcg_tree.h"
#include "engine/machine/host/proc_io.h"
#include "engine/machine/host/system_memory.h"
#include "engine/machine/machine.h"

namespace damon::host {

class FolioReader {
 public:
  FolioReader(const KernelFeatures& features, const MemcgTree& memcgs,
              const PhysNodeMap& phys_nodes);

  // Resident folios of process `pid` overlapping `range`, in address order
  // (pages not resident are left out). 0, or the errno of what could not be
  // read (pagemap: nothing returned; the node query: nodes are -1).
  int process_folios(int pid, AddrRange range, std::vector<FolioInfo>& out) const;
  // Folios on an LRU list overlapping the physical `range` (needs
  // /proc/kpageflags; what DAMON's paddr can act on).
  int phys_folios(AddrRange range, std::vector<FolioInfo>& out) const;

 private:
  // A folio's frames: [head, head + nr_pages), and the head's page flags.
  struct Extent {
    uint64_t head = 0;
    uint64_t nr_pages = 1;
    uint64_t head_flags = 0;
  };
  Extent extent(uint64_t pfn, uint64_t flags) const;
  // The memcg path of a /proc/kpagecgroup inode.
  std::string memcg_path(uint64_t ino) const;

  bool page_flags_;
  bool numa_;
  UniqueFd kpageflags_;
  UniqueFd kpagecgroup_;
  const MemcgTree& memcgs_;
  const PhysNodeMap& phys_nodes_;
};

}  // namespace damon::host
