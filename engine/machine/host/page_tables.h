// Per-page tables the kernel exports as files of 64-bit words:
// /proc/PID/pagemap (one entry per virtual page), /proc/kpageflags and
// /proc/kpagecgroup (one word per physical frame), and the idle page
// tracking bitmap (one bit per frame).
//
// Sampling reads a few scattered words per interval, so lookups take the
// wanted indexes and read each cluster of nearby words with one pread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/machine/host/proc_io.h"
#include "engine/machine/host/uapi.h"

namespace damon::host {

// One decoded pagemap entry.
struct PagemapEntry {
  uint64_t raw = 0;
  bool present() const { return raw & uapi::kPmPresent; }
  bool file() const { return raw & uapi::kPmFile; }
  bool soft_dirty() const { return raw & uapi::kPmSoftDirty; }
  // 0 when not present or the reader lacks CAP_SYS_ADMIN.
  uint64_t pfn() const { return present() ? raw & uapi::kPmPfnMask : 0; }
};

// Reads words[i] = file word at index idx[i] for a table file; `idx` in any
// order. Indexes at most `max_gap` apart share one pread: worth it where an
// unneeded word costs less than a system call (pagemap, kpageflags), not
// where every word read makes the kernel work on 64 frames (page_idle).
// 0 or the errno.
inline constexpr uint64_t kCheapWordsGap = 32;
int read_words_at(int fd, std::span<const uint64_t> idx, std::vector<uint64_t>& words,
                  uint64_t max_gap = kCheapWordsGap);

// Compound pages (THP, hugetlb, large folios) in /proc/kpageflags: the head
// frame carries the folio's state, the tail frames point nowhere. Idle page
// tracking, too, only tracks head frames.
struct HeadFrame {
  uint64_t pfn = 0;
  uint64_t flags = 0;  // its /proc/kpageflags word
};
// The head of the compound page holding frame `pfn` (`flags` its
// kpageflags word): `pfn` itself unless it is a tail; also when no head is
// found (the folio changed meanwhile).
HeadFrame compound_head(int kpageflags_fd, uint64_t pfn, uint64_t flags);
// How many frames the folio starting at head frame `head` has.
uint64_t compound_frames(int kpageflags_fd, uint64_t head);

// Opened /proc/PID/pagemap.
class Pagemap {
 public:
  // 0 or the errno (EACCES/EPERM without ptrace read access, ENOENT/ESRCH
  // when the process is gone).
  int open(int pid);
  // Entries of the pages holding `addrs`, in the same order.
  int entries(std::span<const uint64_t> addrs, std::vector<PagemapEntry>& out) const;
  // Entries of every page of [start, end) (page-aligned), in order.
  int range(uint64_t start, uint64_t end, std::vector<PagemapEntry>& out) const;

 private:
  UniqueFd fd_;
};

}  // namespace damon::host
