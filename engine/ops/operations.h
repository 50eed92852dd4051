// Operations sets (the kernel's struct damon_operations): the address-space
// specific half of monitoring, chosen by name at `on`/`commit`.
//
// Every set samples the same way (one random address per region, accessed
// state cleared and read back through the Machine, batched per target); they
// differ in the address space, how core addresses map to it, how targets get
// their regions and when a target stops being monitorable.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/core/region.h"
#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

class Context;

class Operations {
 public:
  virtual ~Operations() = default;

  virtual OpsId id() const = 0;

  // At start, after the user regions are installed: build regions for
  // targets that have none. fvaddr and paddr monitor exactly the user
  // regions, so for them this does nothing.
  virtual void init(Context& ctx);
  // Every ops update interval: refresh the targets' ranges. Nothing for
  // fvaddr and paddr, whose ranges only change by commit.
  virtual void update(Context& ctx);
  // Whether `t` can still be monitored (its process exists).
  virtual bool target_valid(const Context& ctx, const Target& t) const = 0;
  // True when the kdamond should stop by itself because no target can be
  // monitored any more (uses the cached Target::valid flags).
  virtual bool all_targets_invalid(const Context& ctx) const;

  // Step 2 of the loop: pick each region's sampling address and clear its
  // accessed state. Targets flagged invalid are skipped.
  void prepare_access_checks(Context& ctx);
  // Step 4: read back each sampled address, update nr_accesses and the
  // smoothed count; regions of invalid targets count as not accessed.
  // Returns the largest nr_accesses of any region.
  uint32_t check_accesses(Context& ctx);

 protected:
  virtual Space space_of(const Target& t) const = 0;
  // The Machine address of a core address (paddr scales by addr_unit).
  virtual uint64_t machine_addr(const Context& ctx, uint64_t core_addr) const = 0;

 private:
  void collect_sampling_addrs(const Context& ctx, const Target& t);

  // Reused per target and sample so the hot path does not allocate.
  std::vector<uint64_t> addrs_;
  std::vector<bool> young_;
};

std::unique_ptr<Operations> make_operations(OpsId id);

}  // namespace damon
