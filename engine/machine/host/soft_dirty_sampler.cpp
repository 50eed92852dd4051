#include "engine/machine/host/soft_dirty_sampler.h"

#include <cerrno>

#include "engine/machine/host/page_tables.h"
#include "engine/machine/host/proc_io.h"

namespace damon::host {

SamplerInfo SoftDirtySampler::info() const {
  return {"soft_dirty",
          "per page, writes only: /proc/PID/clear_refs \"4\" + pagemap soft-dirty bit; reads "
          "are not seen, and each sample write-protects the whole process (one minor fault per "
          "page on its next write)"};
}

int SoftDirtySampler::mkold(Space space, std::span<const uint64_t> addrs) {
  if (space.physical()) return EINVAL;
  if (addrs.empty()) return 0;
  return write_text(proc_path(space.pid, "clear_refs"), "4");
}

int SoftDirtySampler::young(Space space, std::span<const uint64_t> addrs, YoungBits& out) {
  out.assign(addrs.size(), false);
  if (space.physical()) return EINVAL;
  if (addrs.empty()) return 0;
  Pagemap pagemap;
  if (int err = pagemap.open(space.pid)) return err;
  std::vector<PagemapEntry> entries;
  if (int err = pagemap.entries(addrs, entries)) return err;
  for (size_t i = 0; i < addrs.size(); ++i)
    out[i] = entries[i].present() && entries[i].soft_dirty();
  return 0;
}

int SoftDirtySampler::test_and_clear_young(Space space, uint64_t addr, bool& young) {
  YoungBits out;
  const int err = this->young(space, {&addr, 1}, out);
  young = out[0];
  return err;
}

}  // namespace damon::host
