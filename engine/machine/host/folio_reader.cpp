#include "engine/machine/host/folio_reader.h"

#include <fcntl.h>
#include <numa.h>

#include <algorithm>
#include <cerrno>

#include "engine/machine/host/page_tables.h"
#include "engine/machine/host/proc_parse.h"
#include "engine/machine/host/uapi.h"

namespace damon::host {

namespace {

using uapi::kpf;

// Frames read per pread when walking physical memory.
constexpr uint64_t kPhysWindowFrames = 512 * 64;
// Virtual memory whose pagemap is read at once (512 KiB of entries).
constexpr uint64_t kPagemapWindowBytes = uint64_t{256} << 20;

bool compound(uint64_t flags) {
  return kpf(flags, uapi::kKpfCompoundHead) || kpf(flags, uapi::kKpfCompoundTail);
}

uint64_t align_down(uint64_t x) { return x / kPageSize * kPageSize; }
uint64_t align_up(uint64_t x) { return (x + kPageSize - 1) / kPageSize * kPageSize; }

struct ResidentPage {
  uint64_t addr = 0;
  uint64_t pfn = 0;  // 0 when frame numbers are hidden
  bool file = false;
};

}  // namespace

FolioReader::FolioReader(const KernelFeatures& features, const MemcgTree& memcgs,
                         const PhysNodeMap& phys_nodes)
    : page_flags_(features.page_flags),
      numa_(features.numa),
      kpageflags_(features.page_flags ? open_file("/proc/kpageflags", O_RDONLY) : UniqueFd()),
      kpagecgroup_(features.page_cgroups ? open_file("/proc/kpagecgroup", O_RDONLY) : UniqueFd()),
      memcgs_(memcgs),
      phys_nodes_(phys_nodes) {}

FolioReader::Extent FolioReader::extent(uint64_t pfn, uint64_t flags) const {
  if (!compound(flags)) return {.head = pfn, .nr_pages = 1, .head_flags = flags};
  const HeadFrame head = compound_head(kpageflags_.get(), pfn, flags);
  if (uapi::kpf(head.flags, uapi::kKpfCompoundTail))
    return {.head = pfn, .nr_pages = 1, .head_flags = flags};  // no head found
  return {.head = head.pfn,
          .nr_pages = compound_frames(kpageflags_.get(), head.pfn),
          .head_flags = head.flags};
}

std::string FolioReader::memcg_path(uint64_t ino) const {
  // Inode 0: charged to no memcg (the root's pages on some kernels).
  if (!ino) return {};
  return memcgs_.path_of_inode(ino).value_or("");
}

int FolioReader::process_folios(int pid, AddrRange range, std::vector<FolioInfo>& out) const {
  out.clear();
  const std::optional<std::string> maps = read_text(proc_path(pid, "maps"));
  if (!maps) return errno;
  Pagemap pagemap;
  if (int err = pagemap.open(pid)) return err;

  // Only mapped pages are looked at: a vaddr region may span huge holes.
  std::vector<ResidentPage> pages;
  std::vector<PagemapEntry> entries;
  for (const Vma& v : parse_maps(*maps)) {
    const uint64_t lo = std::max(align_down(range.start), v.start);
    const uint64_t hi = std::min(align_up(range.end), v.end);
    // In windows: a mapping may reserve far more than is resident.
    for (uint64_t start = lo; start < hi; start += kPagemapWindowBytes) {
      const uint64_t end = std::min(hi, start + kPagemapWindowBytes);
      if (int err = pagemap.range(start, end, entries)) return err;
      for (size_t i = 0; i < entries.size(); ++i) {
        if (!entries[i].present()) continue;
        pages.push_back({start + i * kPageSize, entries[i].pfn(), entries[i].file()});
      }
    }
  }
  if (pages.empty()) return 0;

  int result = 0;
  std::vector<void*> addrs(pages.size());
  for (size_t i = 0; i < pages.size(); ++i) addrs[i] = reinterpret_cast<void*>(pages[i].addr);
  std::vector<int> nodes(pages.size(), -1);
  if (numa_ && ::numa_move_pages(pid, addrs.size(), addrs.data(), nullptr, nodes.data(), 0) != 0) {
    result = errno;
    std::fill(nodes.begin(), nodes.end(), -1);
  }

  std::vector<uint64_t> pfns(pages.size());
  for (size_t i = 0; i < pages.size(); ++i) pfns[i] = pages[i].pfn;
  std::vector<uint64_t> flags(pages.size(), 0);
  const bool with_flags = page_flags_ && read_words_at(kpageflags_.get(), pfns, flags) == 0;
  std::vector<uint64_t> memcg_inodes;
  std::string process_memcg;
  const bool with_memcgs =
      kpagecgroup_ && with_flags && read_words_at(kpagecgroup_.get(), pfns, memcg_inodes) == 0;
  if (!with_memcgs) {
    if (const auto text = read_text(proc_path(pid, "cgroup")))
      process_memcg = memory_cgroup_of(*text, memcgs_.v1()).value_or("");
  }

  for (size_t i = 0; i < pages.size();) {
    const ResidentPage& p = pages[i];
    FolioInfo f;
    f.addr = p.addr;
    f.present = true;
    f.mapped = true;
    f.node = nodes[i] >= 0 ? nodes[i] : -1;
    f.anon = !p.file;
    f.memcg = with_memcgs ? memcg_path(memcg_inodes[i]) : process_memcg;
    size_t next = i + 1;
    if (with_flags && p.pfn) {
      const Extent e = extent(p.pfn, flags[i]);
      f.anon = kpf(e.head_flags, uapi::kKpfAnon);
      f.active = kpf(e.head_flags, uapi::kKpfActive);
      f.addr = p.addr - (p.pfn - e.head) * kPageSize;
      f.size = e.nr_pages * kPageSize;
      // The folio's other pages, mapped where they sit in it.
      while (next < pages.size() && pages[next].addr < f.addr + f.size &&
             pages[next].pfn - e.head == (pages[next].addr - f.addr) / kPageSize)
        ++next;
    }
    out.push_back(std::move(f));
    i = next;
  }
  return result;
}

int FolioReader::phys_folios(AddrRange range, std::vector<FolioInfo>& out) const {
  out.clear();
  if (!page_flags_) return ENOTSUP;
  const uint64_t first = range.start / kPageSize;
  const uint64_t end = (range.end + kPageSize - 1) / kPageSize;
  std::vector<uint64_t> window(kPhysWindowFrames);
  std::vector<uint64_t> memcgs(kpagecgroup_ ? window.size() : 0);
  uint64_t covered_until = first;  // frames before this belong to folios already listed
  for (uint64_t base = first; base < end; base += window.size()) {
    const uint64_t n = std::min<uint64_t>(window.size(), end - base);
    if (int err = pread_words(kpageflags_.get(), base, {window.data(), n})) return err;
    if (kpagecgroup_) {
      if (int err = pread_words(kpagecgroup_.get(), base, {memcgs.data(), n})) return err;
    }
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t pfn = base + i;
      if (pfn < covered_until) continue;
      const uint64_t flags = window[i];
      if (kpf(flags, uapi::kKpfNoPage)) continue;
      const Extent e = extent(pfn, flags);
      covered_until = e.head + e.nr_pages;
      if (!kpf(e.head_flags, uapi::kKpfLru)) continue;
      FolioInfo f;
      f.addr = e.head * kPageSize;
      f.size = e.nr_pages * kPageSize;
      f.present = true;
      f.anon = kpf(e.head_flags, uapi::kKpfAnon);
      f.active = kpf(e.head_flags, uapi::kKpfActive);
      f.mapped = kpf(e.head_flags, uapi::kKpfMmap);
      f.node = phys_nodes_.node_of(f.addr);
      // Every page of a folio reads its folio's memcg.
      if (kpagecgroup_) f.memcg = memcg_path(memcgs[i]);
      out.push_back(std::move(f));
    }
  }
  return 0;
}

}  // namespace damon::host
