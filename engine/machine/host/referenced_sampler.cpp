#include "engine/machine/host/referenced_sampler.h"

#include <algorithm>
#include <cerrno>

#include "engine/machine/host/proc_io.h"

namespace damon::host {

namespace {

bool referenced_at(const std::vector<SmapsEntry>& smaps, uint64_t addr) {
  auto it = std::upper_bound(smaps.begin(), smaps.end(), addr,
                             [](uint64_t a, const SmapsEntry& e) { return a < e.end; });
  return it != smaps.end() && it->start <= addr && it->referenced_bytes > 0;
}

}  // namespace

SamplerInfo ReferencedSampler::info() const {
  return {"clear_refs",
          "per mapping only: /proc/PID/clear_refs \"1\" + smaps \"Referenced\" cannot tell "
          "regions inside one mapping apart; reads and writes seen; each sample walks the whole "
          "process's page tables twice"};
}

int ReferencedSampler::mkold(Space space, std::span<const uint64_t> addrs) {
  if (space.physical()) return EINVAL;
  if (addrs.empty()) return 0;
  {
    std::lock_guard lock(mu_);
    last_smaps_.erase(space.pid);
  }
  return write_text(proc_path(space.pid, "clear_refs"), "1");
}

int ReferencedSampler::young(Space space, std::span<const uint64_t> addrs, YoungBits& out) {
  out.assign(addrs.size(), false);
  if (space.physical()) return EINVAL;
  if (addrs.empty()) return 0;
  const std::optional<std::string> text = read_text(proc_path(space.pid, "smaps"));
  const int err = text ? 0 : errno;
  std::vector<SmapsEntry> smaps = text ? parse_smaps(*text) : std::vector<SmapsEntry>{};
  for (size_t i = 0; i < addrs.size(); ++i) out[i] = referenced_at(smaps, addrs[i]);
  std::lock_guard lock(mu_);
  if (smaps.empty()) {
    last_smaps_.erase(space.pid);  // gone (or not allowed): nothing to keep
  } else {
    last_smaps_[space.pid] = std::move(smaps);
  }
  return err;
}

int ReferencedSampler::test_and_clear_young(Space space, uint64_t addr, bool& young) {
  young = false;
  if (space.physical()) return EINVAL;
  {
    std::lock_guard lock(mu_);
    auto it = last_smaps_.find(space.pid);
    if (it != last_smaps_.end()) {
      young = referenced_at(it->second, addr);
      return 0;
    }
  }
  YoungBits out;
  const int err = this->young(space, {&addr, 1}, out);
  young = out[0];
  return err;
}

}  // namespace damon::host
