// Soft-dirty bits (CONFIG_MEM_SOFT_DIRTY): writing "4" to
// /proc/PID/clear_refs clears them for a whole process (and write-protects
// its pages, so the next write to each page takes a minor fault); pagemap
// bit 55 then tells per page whether it was written since. Reads are not
// seen at all.
#pragma once

#include "engine/machine/host/access_sampler.h"

namespace damon::host {

class SoftDirtySampler final : public AccessSampler {
 public:
  SamplerKind kind() const override { return SamplerKind::soft_dirty; }
  SamplerInfo info() const override;
  int mkold(Space space, std::span<const uint64_t> addrs) override;
  int young(Space space, std::span<const uint64_t> addrs, YoungBits& out) override;
  int test_and_clear_young(Space space, uint64_t addr, bool& young) override;
};

}  // namespace damon::host
