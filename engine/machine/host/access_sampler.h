// How the host machine sees page accesses: DAMON's mkold/young done with
// the interfaces user space has. Three mechanisms, best first:
//
//   page_idle   idle page tracking (/sys/kernel/mm/page_idle/bitmap, frames
//               from /proc/PID/pagemap): per page, reads and writes, like the
//               kernel DAMON's own sampling. Serves physical addresses too.
//   soft_dirty  /proc/PID/clear_refs "4" + pagemap bit 55: per page, but
//               writes only.
//   clear_refs  /proc/PID/clear_refs "1" + /proc/PID/smaps "Referenced":
//               reads and writes, but per mapping only.
//
// clear_refs clears a whole process at once, so mkold/young take all the
// sampled addresses of one target in one call, and the cost of a call
// grows with the process's resident memory (tests/bench/host_sampler_bench).
//
// Methods return 0 or an errno (the caller logs permission failures);
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/machine/host/kernel_features.h"
#include "engine/machine/machine.h"

namespace damon::host {

enum class SamplerKind { page_idle, soft_dirty, clear_refs };

class AccessSampler {
 public:
  virtual ~AccessSampler() = default;

  virtual SamplerKind kind() const = 0;
  virtual SamplerInfo info() const = 0;
  // Whether physical addresses (paddr) can be sampled.
  virtual bool physical() const { return false; }

  // Clears the accessed state of the pages holding `addrs`.
  virtual int mkold(Space space, std::span<const uint64_t> addrs) = 0;
  // out[i]: was the page holding addrs[i] accessed since its last mkold?
  // All false on error.
  virtual int young(Space space, std::span<const uint64_t> addrs, YoungBits& out) = 0;
  // The `young` filter's check of one page. Mechanisms that can only clear
  // a whole process (soft_dirty, clear_refs) answer without clearing: the
  // next sample clears it anyway.
  virtual int test_and_clear_young(Space space, uint64_t addr, bool& young) = 0;
};

// "page_idle", "soft_dirty" or "clear_refs".
const char* sampler_name(SamplerKind kind);

// Whether `features` allow `kind`.
bool sampler_available(SamplerKind kind, const KernelFeatures& features);
// The best available kind; nullopt when the kernel offers none.
std::optional<SamplerKind> best_sampler(const KernelFeatures& features);

// nullptr when the mechanism cannot be set up (files missing or forbidden).
std::unique_ptr<AccessSampler> make_sampler(SamplerKind kind);

}  // namespace damon::host
