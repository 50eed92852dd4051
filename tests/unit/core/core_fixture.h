// Shared pieces of the core tests: parameter builders, a schemes hook that
// records what the loop shows it, and a driver that steps a Context on a
// ManualClock.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/core/context.h"
#include "tests/support/oracle_machine.h"

namespace damon::test {

inline constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB;

inline ContextParams paddr_params(std::vector<AddrRange> regions) {
  ContextParams p;
  p.ops = OpsId::paddr;
  p.targets.push_back(TargetParams{0, false, std::move(regions)});
  return p;
}

inline ContextParams process_params(OpsId ops, int pid, std::vector<AddrRange> regions = {}) {
  ContextParams p;
  p.ops = ops;
  p.targets.push_back(TargetParams{pid, false, std::move(regions)});
  return p;
}

inline Vma vma(uint64_t start, uint64_t end) {
  Vma v;
  v.start = start;
  v.end = end;
  return v;
}

// A process laid out like a real one: text, heap, one big mmap area between
// two large holes, and the stack; the three vaddr ranges are then
// [text, heap end), the mmap area and the stack.
inline std::vector<Vma> typical_layout(uint64_t mmap_start, uint64_t mmap_size) {
  return {
      vma(0x400000, 0x600000),                    // text, 2 MiB
      vma(0x600000, 0x800000),                    // data
      vma(0x1000000, 0x1000000 + 64 * kMiB),      // heap
      vma(mmap_start, mmap_start + mmap_size),    // the big mapping
      vma(0x7ffff0000000, 0x7ffff0800000),        // stack, 8 MiB
  };
}

// Access oracle: pages inside `ranges` of any space are accessed in every
// sample, the rest never.
inline OracleMachine::Oracle hot_ranges(std::vector<AddrRange> ranges) {
  return [ranges = std::move(ranges)](Space, uint64_t addr, uint64_t, uint64_t) {
    for (const AddrRange& r : ranges)
      if (addr >= r.start && addr < r.end) return true;
    return false;
  };
}

// Records what SchemesHook::apply sees at each aggregation boundary (after
// the merge, before the reset: the counts of the finished aggregation), and
// lets a test act there.
class RecordingHook final : public SchemesHook {
 public:
  uint64_t watermark_wait_us(Context&) override { return wait_us; }
  void apply(Context& ctx) override {
    ++applies;
    if (!ctx.aggregation_boundary()) return;
    ++aggregations;
    nr_regions_at_boundary.push_back(ctx.nr_regions());
    if (on_aggregation) on_aggregation(ctx);
  }

  uint64_t wait_us = 0;
  uint64_t applies = 0;
  uint64_t aggregations = 0;
  std::vector<uint64_t> nr_regions_at_boundary;
  std::function<void(Context&)> on_aggregation;
};

// One kdamond loop turn in virtual time.
inline void step(Context& ctx, ManualClock& clock) {
  clock.advance(ctx.next_sleep_us());
  ctx.iterate();
}

// Steps until `hook` has seen `n` more aggregation boundaries.
inline void run_aggregations(Context& ctx, ManualClock& clock, RecordingHook& hook, uint64_t n) {
  const uint64_t until = hook.aggregations + n;
  while (hook.aggregations < until) step(ctx, clock);
}

// Regions flattened for comparisons.
struct RegionState {
  uint64_t start, end;
  uint32_t nr_accesses, last_nr_accesses, age;
  bool operator==(const RegionState&) const = default;
};

inline std::vector<RegionState> snapshot(const Context& ctx) {
  std::vector<RegionState> out;
  for (const Target& t : ctx.targets())
    for (const Region& r : t.regions)
      out.push_back({r.ar.start, r.ar.end, r.nr_accesses, r.last_nr_accesses, r.age});
  return out;
}

}  // namespace damon::test
