#include "engine/machine/host/host_machine.h"

#include <cerrno>
#include <stdexcept>

#include "engine/machine/host/page_tables.h"
#include "engine/machine/host/proc_io.h"
#include "engine/machine/host/proc_parse.h"

namespace damon::host {

namespace {

std::unique_ptr<AccessSampler> open_sampler(const KernelFeatures& f,
                                            std::optional<SamplerKind> wanted) {
  const std::optional<SamplerKind> kind = wanted ? wanted : best_sampler(f);
  if (!kind) {
    throw std::runtime_error(
        "the kernel offers no way to sample page accesses from user space: " +
        std::string(f.clear_refs ? "" : "no /proc/PID/clear_refs (CONFIG_PROC_PAGE_MONITOR), ") +
        "no soft-dirty bits, no idle page tracking (" + f.page_idle_missing + ")");
  }
  if (!sampler_available(*kind, f))
    throw std::runtime_error(std::string("access sampler ") + sampler_name(*kind) +
                             " is not available here:\n" + f.describe());
  std::unique_ptr<AccessSampler> sampler = make_sampler(*kind);
  if (!sampler)
    throw std::runtime_error(std::string("cannot open the ") + sampler_name(*kind) + " sampler");
  return sampler;
}

// Errors that only say the process has exited (or is exiting).
bool process_gone(int err) { return err == ESRCH || err == ENOENT; }

}  // namespace

HostMachine::HostMachine(Log& log, HostOptions options)
    : HostMachine(probe_kernel_features(), log, options) {}

HostMachine::HostMachine(const KernelFeatures& features, Log& log, HostOptions options)
    : features_(features),
      log_(log),
      sampler_(open_sampler(features_, options.sampler)),
      folio_reader_(features_, memcgs_, phys_nodes_),
      actions_(pids_, log_, features_) {}

bool HostMachine::supports(OpsId ops) const { return ops != OpsId::paddr || sampler_->physical(); }

std::string HostMachine::unsupported_reason(OpsId ops) const {
  if (supports(ops)) return {};
  if (!features_.page_idle)
    return "paddr is unavailable: it needs idle page tracking, and " + features_.page_idle_missing;
  return std::string(
             "paddr is unavailable: it needs the page_idle sampler, and this machine "
             "samples with ") +
         sampler_name(sampler_->kind());
}

void HostMachine::report_sampling(Space space, const char* what, int err) const {
  if (!err || (!space.physical() && process_gone(err))) return;
  log_.failure(space.pid, std::string(what) + " (" + sampler_name(sampler_->kind()) + ")", err,
               permission_hint(err, kProcAccess));
}

bool HostMachine::task_exists(int pid) const { return pids_.exists(pid); }

std::vector<Vma> HostMachine::vmas(int pid) const {
  const std::optional<std::string> maps = read_text(proc_path(pid, "maps"));
  if (!maps) {
    const int err = errno;
    if (!process_gone(err))
      log_.failure(pid, "reading /proc/PID/maps", err, permission_hint(err, kProcAccess));
    return {};
  }
  std::vector<Vma> vmas = parse_maps(*maps);
  // The x86-64 [vsyscall] page is listed but is no mapping of the process
  // (the kernel DAMON's VMA walk never sees it); kept, its distance from
  // the stack would be the largest gap of every address space.
  if (!vmas.empty() && vmas.back().name == "[vsyscall]") vmas.pop_back();
  return vmas;
}

std::vector<AddrRange> HostMachine::phys_ranges() const {
  const std::optional<std::string> iomem = read_text("/proc/iomem");
  return iomem ? iomem_system_ram(*iomem) : std::vector<AddrRange>{};
}

void HostMachine::mkold(Space space, std::span<const uint64_t> addrs) {
  report_sampling(space, "clearing accessed bits", sampler_->mkold(space, addrs));
}

void HostMachine::young(Space space, std::span<const uint64_t> addrs, YoungBits& out) {
  report_sampling(space, "reading accessed bits", sampler_->young(space, addrs, out));
}

bool HostMachine::test_and_clear_young(Space space, uint64_t addr) {
  bool young = false;
  report_sampling(space, "reading accessed bits",
                  sampler_->test_and_clear_young(space, addr, young));
  return young;
}

std::vector<NodeMemory> HostMachine::nodes() const { return numa_nodes(features_.numa); }

uint64_t HostMachine::psi_some_total_us() const { return memory_psi_some_total_us(); }

uint64_t HostMachine::active_lru_bytes() const { return lru_totals().active; }

uint64_t HostMachine::inactive_lru_bytes() const { return lru_totals().inactive; }

uint64_t HostMachine::hugepage_bytes() const { return huge_page_bytes(); }

std::optional<uint64_t> HostMachine::memcg_node_lru_bytes(const std::string& path, int nid) const {
  return memcgs_.node_lru_bytes(path, nid);
}

std::vector<FolioInfo> HostMachine::folios(Space space, AddrRange range) const {
  std::vector<FolioInfo> out;
  if (space.physical()) {
    report_sampling(space, "reading /proc/kpageflags", folio_reader_.phys_folios(range, out));
  } else if (int err = folio_reader_.process_folios(space.pid, range, out)) {
    if (!process_gone(err))
      log_.failure(space.pid, "reading pagemap and page nodes", err,
                   permission_hint(err, kProcAccess));
  }
  return out;
}

uint64_t HostMachine::madvise(int pid, AddrRange range, Action action) {
  return actions_.madvise(pid, range, action);
}

bool HostMachine::pageout(Space space, uint64_t folio_addr) {
  // Reclaiming a physical frame has no user-space interface.
  if (space.physical()) return false;
  const std::vector<FolioInfo> f = folios(space, {folio_addr, folio_addr + 1});
  if (f.empty()) return false;
  const AddrRange whole{f[0].addr, f[0].addr + f[0].size};
  if (actions_.madvise(space.pid, whole, Action::pageout) == 0) return false;
  // MADV_PAGEOUT succeeds whether or not reclaim took the folio.
  Pagemap pagemap;
  std::vector<PagemapEntry> entry;
  return pagemap.open(space.pid) == 0 && pagemap.entries({&whole.start, 1}, entry) == 0 &&
         !entry[0].present();
}

bool HostMachine::set_lru(Space space, uint64_t folio_addr, bool active) {
  // No user-space interface moves a page between the LRU lists.
  (void)space;
  (void)folio_addr;
  (void)active;
  return false;
}

bool HostMachine::migrate(Space space, uint64_t folio_addr, int node) {
  // move_pages(2) takes virtual addresses of a process only.
  if (space.physical()) return false;
  return actions_.migrate(space.pid, folio_addr, node);
}

}  // namespace damon::host
