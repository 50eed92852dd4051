// The Machine: where memory facts come from and where DAMOS actions land.
//
// Operations sets (ops/: vaddr, fvaddr, paddr) are written against this
// interface only, so the same ops serve the simulated machine (machine/sim)
// and real processes (machine/host). Every call is made from the owning
// kdamond thread; implementations need no locking of their own unless they
// are shared between kdamonds (the sim is: see machine/sim).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/params.h"

namespace damon {

inline constexpr uint64_t kPageSize = 4096;

// An address space: a process's virtual memory, or physical memory.
struct Space {
  static constexpr int kPhysical = -1;
  int pid = kPhysical;
  bool physical() const { return pid == kPhysical; }
  static Space phys() { return Space{}; }
  static Space process(int pid) { return Space{pid}; }
};

// One mapping of a process (a line of /proc/PID/maps).
struct Vma {
  uint64_t start = 0, end = 0;
  uint64_t pgoff = 0;   // offset into the mapped object, in pages
  bool anon = true;     // anonymous (no file)
  std::string name;     // path or [heap]/[stack]/"" like /proc/PID/maps
};

struct NodeMemory {
  int id = 0;
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;
  bool has_cpu = true;
};

// What ops filters and actions need to know about one folio.
struct FolioInfo {
  uint64_t addr = 0;        // first address of the folio in the queried space
  uint64_t size = kPageSize;
  bool present = false;     // resident in memory at all
  bool anon = false;
  bool active = false;      // on the active LRU list
  bool mapped = true;       // mapped by some process (paddr: unmapped page cache)
  int node = -1;            // NUMA node holding it, -1 when not present
  std::string memcg;        // cgroup path the folio is charged to ("" = root)
};

// What data-attribute probe filters (anon, memcg) read of the page at a
// sampled address.
struct SampledPage {
  bool present = false;  // a folio holds the page
  bool anon = false;
  std::string memcg;     // cgroup path the folio is charged to ("" = root)
};

// How the machine samples accesses, reported to users (log, mount info).
struct SamplerInfo {
  std::string name;       // "sim", "page_idle", "soft_dirty", "clear_refs"
  std::string precision;  // one line a person can read
};

// young()'s answers, one byte per sampled address, 1 when its page was
// accessed: unlike std::vector<bool>'s bits, threads may fill different
// elements at once.
using YoungBits = std::vector<uint8_t>;

class Machine {
 public:
  virtual ~Machine() = default;

  // --- identity ---------------------------------------------------------
  virtual std::string kind() const = 0;  // "sim" or "host"
  virtual SamplerInfo sampler() const = 0;
  // Whether this machine can serve an operations set (avail_operations;
  // `on`/`commit` with another one fail EINVAL like an unregistered ops).
  virtual bool supports(OpsId ops) const {
    (void)ops;
    return true;
  }
  // Why supports(ops) is false: the kernel feature (or privilege) this
  // machine lacks, for the log line of the failing `on`/`commit`. Empty
  // when `ops` is supported.
  virtual std::string unsupported_reason(OpsId ops) const {
    (void)ops;
    return {};
  }

  // --- address spaces ----------------------------------------------------
  // Whether `pid` resolves to a task, as the kernel's get_pid_task() (what
  // a vaddr target's validity rests on): an exited process counts until
  // it is reaped, so a kdamond outlives its target's exit by the zombie's
  // lifetime.
  virtual bool task_exists(int pid) const = 0;
  // Sorted, non-overlapping mappings; empty when the process is gone.
  virtual std::vector<Vma> vmas(int pid) const = 0;
  // Physical memory ("System RAM") ranges, sorted, in bytes.
  virtual std::vector<AddrRange> phys_ranges() const = 0;

  // --- access sampling (DAMON's mkold / young) ---------------------------
  // Clear the accessed state of the pages holding `addrs`.
  virtual void mkold(Space space, std::span<const uint64_t> addrs) = 0;
  // For each address: was its page accessed since its last mkold()?
  // `out` is resized to addrs.size(). Non-present pages read false.
  virtual void young(Space space, std::span<const uint64_t> addrs, YoungBits& out) = 0;

  // young(), plus each page's attributes for probe filters in `pages`
  // (resized to addrs.size()). It runs every sample while probes are
  // installed; this default asks folios() page by page, a machine that can
  // read both in one pass overrides it.
  virtual void young_pages(Space space, std::span<const uint64_t> addrs, YoungBits& out,
                           std::vector<SampledPage>& pages) {
    young(space, addrs, out);
    pages.resize(addrs.size());
    for (size_t i = 0; i < addrs.size(); ++i) {
      const uint64_t page = addrs[i] / kPageSize * kPageSize;
      const std::vector<FolioInfo> f = folios(space, {page, page + kPageSize});
      pages[i] = f.empty() ? SampledPage{} : SampledPage{f[0].present, f[0].anon, f[0].memcg};
    }
  }

  // --- system-wide facts for quota goals and watermarks ------------------
  virtual std::vector<NodeMemory> nodes() const = 0;
  // Total "some" memory pressure stall time, microseconds (PSI), monotonic.
  virtual uint64_t psi_some_total_us() const = 0;
  virtual uint64_t active_lru_bytes() const = 0;
  virtual uint64_t inactive_lru_bytes() const = 0;
  // Memory held in huge pages (THP and other PMD-size folios), bytes.
  virtual uint64_t hugepage_bytes() const = 0;
  // LRU bytes charged to the memcg at `path` on node `nid`; nullopt when the
  // memcg does not exist.
  virtual std::optional<uint64_t> memcg_node_lru_bytes(const std::string& path, int nid) const = 0;

  // --- folios and actions -------------------------------------------------
  // Folios overlapping [range.start, range.end) of `space`, in address order.
  virtual std::vector<FolioInfo> folios(Space space, AddrRange range) const = 0;
  // Test and clear the young bit of one folio (the `young` filter does both).
  virtual bool test_and_clear_young(Space space, uint64_t addr) = 0;

  // madvise-style actions on a virtual range (vaddr/fvaddr): willneed, cold,
  // pageout, hugepage, nohugepage, collapse, split (the host has no
  // user-space call for split and applies nothing). Returns bytes applied.
  virtual uint64_t madvise(int pid, AddrRange range, Action action) = 0;
  // Per-folio actions. Each returns true when the folio was changed.
  virtual bool pageout(Space space, uint64_t folio_addr) = 0;
  virtual bool set_lru(Space space, uint64_t folio_addr, bool active) = 0;
  virtual bool migrate(Space space, uint64_t folio_addr, int node) = 0;
};

}  // namespace damon
