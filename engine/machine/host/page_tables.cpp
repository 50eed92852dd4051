#include "engine/machine/host/page_tables.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <numeric>

#include "engine/machine/machine.h"

namespace damon::host {

int read_words_at(int fd, std::span<const uint64_t> idx, std::vector<uint64_t>& words,
                  uint64_t max_gap) {
  words.assign(idx.size(), 0);
  std::vector<size_t> order(idx.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return idx[a] < idx[b]; });
  std::vector<uint64_t> run;
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    while (j < order.size() && idx[order[j]] - idx[order[j - 1]] <= max_gap) ++j;
    const uint64_t first = idx[order[i]];
    run.resize(idx[order[j - 1]] - first + 1);
    if (int err = pread_words(fd, first, run)) return err;
    for (size_t k = i; k < j; ++k) words[order[k]] = run[idx[order[k]] - first];
    i = j;
  }
  return 0;
}

namespace {

// Frames read per pread when counting a compound page's tails.
constexpr uint64_t kWalkWindow = 512;
// The largest folio looked for: a 1 GiB hugetlb page.
constexpr uint64_t kMaxFolioFrames = uint64_t{1} << 18;

}  // namespace

HeadFrame compound_head(int kpageflags_fd, uint64_t pfn, uint64_t flags) {
  if (!uapi::kpf(flags, uapi::kKpfCompoundTail)) return {pfn, flags};
  // Folios sit naturally aligned in physical memory (the buddy allocator
  // hands out blocks aligned to their size), so the head of a folio of order
  // k is pfn with its k low bits cleared: try k = 1, 2, ... and stop at the
  // first head. One word per order, instead of a walk back over the tails.
  for (uint64_t order = 1; (uint64_t{1} << order) <= kMaxFolioFrames; ++order) {
    const uint64_t candidate = pfn & ~((uint64_t{1} << order) - 1);
    uint64_t f = 0;
    if (pread_words(kpageflags_fd, candidate, {&f, 1}) != 0) break;
    if (uapi::kpf(f, uapi::kKpfCompoundHead)) return {candidate, f};
    if (!uapi::kpf(f, uapi::kKpfCompoundTail)) break;  // changed meanwhile
  }
  return {pfn, flags};
}

uint64_t compound_frames(int kpageflags_fd, uint64_t head) {
  std::vector<uint64_t> window(kWalkWindow);
  uint64_t frames = 1;
  for (uint64_t next = head + 1; frames < kMaxFolioFrames; next += kWalkWindow) {
    if (pread_words(kpageflags_fd, next, window) != 0) break;
    uint64_t i = 0;
    while (i < kWalkWindow && uapi::kpf(window[i], uapi::kKpfCompoundTail)) ++i;
    frames += i;
    if (i < kWalkWindow) break;
  }
  return frames;
}

int Pagemap::open(int pid) {
  fd_ = open_file(proc_path(pid, "pagemap"), O_RDONLY);
  return fd_ ? 0 : errno;
}

int Pagemap::entries(std::span<const uint64_t> addrs, std::vector<PagemapEntry>& out) const {
  std::vector<uint64_t> pages(addrs.size());
  for (size_t i = 0; i < addrs.size(); ++i) pages[i] = addrs[i] / kPageSize;
  std::vector<uint64_t> words;
  if (int err = read_words_at(fd_.get(), pages, words)) return err;
  out.resize(words.size());
  for (size_t i = 0; i < words.size(); ++i) out[i].raw = words[i];
  return 0;
}

int Pagemap::range(uint64_t start, uint64_t end, std::vector<PagemapEntry>& out) const {
  const uint64_t first = start / kPageSize;
  const uint64_t count = end > start ? (end - 1) / kPageSize - first + 1 : 0;
  std::vector<uint64_t> words(count);
  if (int err = pread_words(fd_.get(), first, words)) return err;
  out.resize(count);
  for (size_t i = 0; i < count; ++i) out[i].raw = words[i];
  return 0;
}

}  // namespace damon::host
