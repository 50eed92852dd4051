#include "engine/machine/host/page_idle_sampler.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>

#include "engine/machine/host/page_tables.h"

namespace damon::host {

namespace {

constexpr uint64_t kBitsPerWord = 64;
// Reading or writing a bitmap word makes the kernel visit its 64 frames
// (reads walk the mappings of every idle one): only neighbouring words
// share a system call.
constexpr uint64_t kMaxGapWords = 1;

}  // namespace

std::unique_ptr<PageIdleSampler> PageIdleSampler::open() {
  UniqueFd bitmap = open_file("/sys/kernel/mm/page_idle/bitmap", O_RDWR);
  UniqueFd kpageflags = open_file("/proc/kpageflags", O_RDONLY);
  if (!bitmap || !kpageflags) return nullptr;
  return std::unique_ptr<PageIdleSampler>(
      new PageIdleSampler(std::move(bitmap), std::move(kpageflags)));
}

SamplerInfo PageIdleSampler::info() const {
  return {"page_idle",
          "per page, reads and writes: idle page tracking (page_idle/bitmap + pagemap frame "
          "numbers), like the kernel DAMON's own accessed-bit sampling; paddr available"};
}

int PageIdleSampler::frames(Space space, std::span<const uint64_t> addrs,
                            std::vector<HeadFrame>& heads) const {
  std::vector<uint64_t> pfns(addrs.size());
  if (space.physical()) {
    for (size_t i = 0; i < addrs.size(); ++i) pfns[i] = addrs[i] / kPageSize;
  } else {
    Pagemap pagemap;
    if (int err = pagemap.open(space.pid)) return err;
    std::vector<PagemapEntry> entries;
    if (int err = pagemap.entries(addrs, entries)) return err;
    for (size_t i = 0; i < addrs.size(); ++i) pfns[i] = entries[i].pfn();
  }
  std::vector<uint64_t> flags;
  if (int err = read_words_at(kpageflags_.get(), pfns, flags)) return err;
  heads.resize(addrs.size());
  for (size_t i = 0; i < addrs.size(); ++i)
    heads[i] = pfns[i] ? compound_head(kpageflags_.get(), pfns[i], flags[i]) : HeadFrame{};
  return 0;
}

int PageIdleSampler::mark_idle(std::span<const HeadFrame> heads) {
  std::vector<uint64_t> sorted;
  for (const HeadFrame& h : heads)
    if (h.pfn) sorted.push_back(h.pfn);
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint64_t> words;
  for (size_t i = 0; i < sorted.size();) {
    const uint64_t first_word = sorted[i] / kBitsPerWord;
    size_t j = i + 1;
    while (j < sorted.size() &&
           sorted[j] / kBitsPerWord - sorted[j - 1] / kBitsPerWord <= kMaxGapWords)
      ++j;
    words.assign(sorted[j - 1] / kBitsPerWord - first_word + 1, 0);
    for (size_t k = i; k < j; ++k)
      words[sorted[k] / kBitsPerWord - first_word] |= uint64_t{1} << (sorted[k] % kBitsPerWord);
    if (int err = pwrite_words(bitmap_.get(), first_word, words)) return err;
    i = j;
  }
  return 0;
}

int PageIdleSampler::still_idle(Space space, std::span<const HeadFrame> heads,
                                std::vector<bool>& idle) const {
  idle.assign(heads.size(), false);
  std::vector<uint64_t> word_idx(heads.size());
  for (size_t i = 0; i < heads.size(); ++i) word_idx[i] = heads[i].pfn / kBitsPerWord;
  std::vector<uint64_t> words;
  if (int err = read_words_at(bitmap_.get(), word_idx, words, kMaxGapWords)) return err;
  for (size_t i = 0; i < heads.size(); ++i) {
    if (!heads[i].pfn) continue;
    idle[i] = (words[i] >> (heads[i].pfn % kBitsPerWord)) & 1;
    // Off the LRU the bitmap always reads "not idle"; for a physical
    // address that means "not a user page", not "accessed".
    if (space.physical() && !uapi::kpf(heads[i].flags, uapi::kKpfLru)) idle[i] = true;
  }
  return 0;
}

int PageIdleSampler::mkold(Space space, std::span<const uint64_t> addrs) {
  std::vector<HeadFrame> heads;
  if (int err = frames(space, addrs, heads)) return err;
  return mark_idle(heads);
}

int PageIdleSampler::young(Space space, std::span<const uint64_t> addrs, YoungBits& out) {
  out.assign(addrs.size(), false);
  std::vector<HeadFrame> heads;
  if (int err = frames(space, addrs, heads)) return err;
  std::vector<bool> idle;
  if (int err = still_idle(space, heads, idle)) return err;
  for (size_t i = 0; i < addrs.size(); ++i) out[i] = heads[i].pfn && !idle[i];
  return 0;
}

int PageIdleSampler::test_and_clear_young(Space space, uint64_t addr, bool& young) {
  YoungBits out;
  if (int err = this->young(space, {&addr, 1}, out)) {
    young = false;
    return err;
  }
  young = out[0];
  return mkold(space, {&addr, 1});
}

}  // namespace damon::host
