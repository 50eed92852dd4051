// What every operations set here shares (the kernel's ops-common): one
// random sampling address per region, its accessed state cleared and read
// back through the Machine, batched per target. The sets differ in the
// address space, how core addresses map to it, how targets get their
// regions, when a target stops being monitorable and how DAMOS actions
// land.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/operations.h"

namespace damon {

class CommonOps : public Operations {
 public:
  // Nothing by default: fvaddr and paddr monitor exactly the user regions,
  // whose ranges only change by commit.
  void init(Context& ctx) override;
  void update(Context& ctx) override;
  // Like the kernel's kdamond_need_stop: with no target at all there is
  // nothing valid either.
  bool all_targets_invalid(const Context& ctx) const override;
  void prepare_access_checks(Context& ctx) override;
  uint32_t check_accesses(Context& ctx) override;

 protected:
  virtual Space space_of(const Target& t) const = 0;
  // The Machine address of a core address is core_addr * this (paddr
  // scales by addr_unit, the virtual sets by 1).
  virtual uint64_t machine_addr_unit(const Context& ctx) const = 0;
  // Whether check_accesses should also read the sampled pages' attributes
  // (for apply_probes), in the same Machine pass as the access check.
  virtual bool reads_sampled_pages(const Context& ctx) const;
  // The attributes read by the last check_accesses, per target index.
  const std::vector<SampledPage>& sampled_pages(size_t target) const { return pages_[target]; }

 private:
  // Target ti's sampling addresses in machine units, as prepare gave them
  // to mkold().
  const std::vector<uint64_t>& sampling_addrs(const Context& ctx, size_t ti);

  // Per target, reused every sample so the hot path does not allocate.
  std::vector<std::vector<uint64_t>> addrs_;
  YoungBits young_;
  std::vector<std::vector<SampledPage>> pages_;
};

}  // namespace damon
