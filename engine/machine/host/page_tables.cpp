#include "engine/machine/host/page_tables.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <numeric>

#include "engine/machine/machine.h"

namespace damon::host {

namespace {

// Indexes this close share one read: a few unneeded words cost less than
// another system call.
constexpr uint64_t kMaxGap = 32;

}  // namespace

int read_words_at(int fd, std::span<const uint64_t> idx, std::vector<uint64_t>& words) {
  words.assign(idx.size(), 0);
  std::vector<size_t> order(idx.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return idx[a] < idx[b]; });
  std::vector<uint64_t> run;
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    while (j < order.size() && idx[order[j]] - idx[order[j - 1]] <= kMaxGap) ++j;
    const uint64_t first = idx[order[i]];
    run.resize(idx[order[j - 1]] - first + 1);
    if (int err = pread_words(fd, first, run)) return err;
    for (size_t k = i; k < j; ++k) words[order[k]] = run[idx[order[k]] - first];
    i = j;
  }
  return 0;
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
