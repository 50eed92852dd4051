// A hand-made monitoring context for driving DAMOS without the sampling
// loop: targets with chosen regions, a fake machine and a manual clock.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/clock.h"
#include "engine/damos/monitor_view.h"
#include "engine/ops/registry.h"
#include "tests/support/any_pattern.h"
#include "tests/support/folio_machine.h"

namespace damon::test {

struct ViewFixture {
  OpsId ops = OpsId::paddr;
  uint64_t addr_unit = 1;
  MonitoringAttrs attrs;  // 5 ms samples, 100 ms aggregations
  uint64_t attrs_generation = 0;
  uint64_t passed_samples = 0;
  std::vector<Target> targets;
  FolioMachine machine;
  ManualClock clock;

  MonitorView view() {
    return MonitorView{.ops = ops_set(ops),
                       .addr_unit = addr_unit,
                       .min_region_size = kPageSize / addr_unit ? kPageSize / addr_unit : 1,
                       .attrs = attrs,
                       .attrs_generation = attrs_generation,
                       .passed_samples = passed_samples,
                       .targets = targets,
                       .machine = machine,
                       .clock = clock,
                       .sample_due_us = clock.now_us()};
  }

  // Appends a region to target `t` (created as needed).
  Region& add_region(size_t t, uint64_t start, uint64_t end, uint32_t nr_accesses = 0,
                     uint32_t age = 0) {
    if (targets.size() <= t) targets.resize(t + 1);
    Region r;
    r.ar = {start, end};
    r.nr_accesses = nr_accesses;
    r.nr_accesses_bp = nr_accesses * 10000;
    r.age = age;
    targets[t].regions.push_back(r);
    return targets[t].regions.back();
  }

  // The operations set for `id`, made once so that views stay valid.
  const Operations& ops_set(OpsId id) {
    std::unique_ptr<Operations>& set = ops_sets[static_cast<size_t>(id)];
    if (!set) set = make_operations(id);
    return *set;
  }
  std::array<std::unique_ptr<Operations>, 3> ops_sets;

  // Advances to the end of the next sampling interval.
  void next_sample() {
    ++passed_samples;
    clock.advance(attrs.sample_us);
  }
};

}  // namespace damon::test
