#include "engine/core/validate.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "core_fixture.h"

namespace damon::test {
namespace {

class Validate : public ::testing::Test {
 protected:
  Validate() { machine.add_process(42, typical_layout(0x7f0000000000, kGiB)); }
  ManualClock clock;
  OracleMachine machine{clock};
  ContextParams paddr = paddr_params({{4 * kGiB, 5 * kGiB}});
};

TEST_F(Validate, DefaultsAreValid) {
  EXPECT_EQ(validate(paddr, machine), 0);
  EXPECT_EQ(validate(process_params(OpsId::vaddr, 42), machine), 0);
  EXPECT_EQ(validate(process_params(OpsId::fvaddr, 42, {{0x400000, 0x600000}}), machine), 0);
}

TEST_F(Validate, UnsupportedOperations) {
  machine.set_supported({OpsId::paddr});
  EXPECT_EQ(validate(process_params(OpsId::vaddr, 42), machine), EINVAL);
  EXPECT_EQ(validate(paddr, machine), 0);
}

TEST_F(Validate, NrRegionsBounds) {
  for (uint64_t min : {0, 1, 2}) {
    paddr.attrs.min_nr_regions = min;
    EXPECT_EQ(validate(paddr, machine), EINVAL) << min;
  }
  paddr.attrs.min_nr_regions = 3;
  EXPECT_EQ(validate(paddr, machine), 0);
  paddr.attrs.min_nr_regions = 100;
  paddr.attrs.max_nr_regions = 50;
  EXPECT_EQ(validate(paddr, machine), EINVAL);
  paddr.attrs.max_nr_regions = 100;
  EXPECT_EQ(validate(paddr, machine), 0);
}

TEST_F(Validate, SampleNotAboveAggregation) {
  paddr.attrs.sample_us = 200000;
  paddr.attrs.aggr_us = 100000;
  EXPECT_EQ(validate(paddr, machine), EINVAL);
  // Both zero is accepted (the probe's "aggr_zero" case), as is update_us 0.
  paddr.attrs.sample_us = paddr.attrs.aggr_us = paddr.attrs.update_us = 0;
  EXPECT_EQ(validate(paddr, machine), 0);
}

TEST_F(Validate, IntervalsGoal) {
  IntervalsGoal& g = paddr.attrs.intervals_goal;
  g = {400, 0, 5000, 1000};  // inconsistent, but aggrs 0 turns tuning off
  EXPECT_EQ(validate(paddr, machine), 0);
  g.aggrs = 3;
  EXPECT_EQ(validate(paddr, machine), EINVAL);  // min > max
  g.min_sample_us = 1000;
  g.max_sample_us = 4000;
  EXPECT_EQ(validate(paddr, machine), EINVAL);  // sample_us 5000 above max
  g.min_sample_us = 6000;
  g.max_sample_us = 10000;
  EXPECT_EQ(validate(paddr, machine), EINVAL);  // below min
  g.min_sample_us = 5000;
  EXPECT_EQ(validate(paddr, machine), 0);
}

TEST_F(Validate, PaddrTakesAtMostOneTargetAndIgnoresPid) {
  paddr.targets[0].pid = 2147483647;
  EXPECT_EQ(validate(paddr, machine), 0);
  paddr.targets.push_back({});
  EXPECT_EQ(validate(paddr, machine), EINVAL);
  paddr.targets.clear();
  EXPECT_EQ(validate(paddr, machine), 0);
}

TEST_F(Validate, ProcessesMustExist) {
  for (OpsId ops : {OpsId::vaddr, OpsId::fvaddr}) {
    EXPECT_EQ(validate(process_params(ops, 43), machine), EINVAL);
    EXPECT_EQ(validate(process_params(ops, 0), machine), EINVAL);
    EXPECT_EQ(validate(process_params(ops, -1), machine), EINVAL);
    ContextParams two = process_params(ops, 42);
    two.targets.push_back({43, false, {}});
    EXPECT_EQ(validate(two, machine), EINVAL);
  }
}

TEST_F(Validate, UserRegions) {
  const auto with = [&](std::vector<AddrRange> regions) {
    ContextParams p = paddr;
    p.targets[0].regions = std::move(regions);
    return validate(p, machine);
  };
  EXPECT_EQ(with({{8192, 4096}}), EINVAL);                      // start > end
  EXPECT_EQ(with({{0, 0}}), EINVAL);                            // empty (6.18.44 rejects it)
  EXPECT_EQ(with({{0, 8192}, {4096, 12288}}), EINVAL);          // overlapping
  EXPECT_EQ(with({{8192, 12288}, {0, 4096}}), EINVAL);          // unsorted
  EXPECT_EQ(with({{0, 4096}, {4096, 8192}}), 0);                // adjacent
  EXPECT_EQ(with({{100, 200}, {300, 400}}), 0);                 // unaligned is fine
  EXPECT_EQ(with({}), 0);
  ContextParams fv = process_params(OpsId::fvaddr, 42, {{8192, 4096}});
  EXPECT_EQ(validate(fv, machine), EINVAL);
}

TEST_F(Validate, PaddrMinimumRegionSizeMustBeAPowerOfTwo) {
  paddr.addr_unit = 3;  // 4096 / 3 = 1365
  EXPECT_EQ(validate(paddr, machine), EINVAL);
  paddr.addr_unit = 4096;  // 1
  EXPECT_EQ(validate(paddr, machine), 0);
  paddr.addr_unit = 5000;  // rounds to 0, counted as 1
  EXPECT_EQ(validate(paddr, machine), 0);
  paddr.addr_unit = 0;
  EXPECT_EQ(validate(paddr, machine), EINVAL);
  // Other operations sets ignore addr_unit.
  ContextParams v = process_params(OpsId::vaddr, 42);
  v.addr_unit = 3;
  EXPECT_EQ(validate(v, machine), 0);
}

TEST_F(Validate, MinRegionSize) {
  EXPECT_EQ(min_region_size(paddr), kPageSize);
  paddr.addr_unit = 1024;
  EXPECT_EQ(min_region_size(paddr), 4u);
  paddr.addr_unit = 1u << 20;
  EXPECT_EQ(min_region_size(paddr), 1u);
  ContextParams v = process_params(OpsId::vaddr, 42);
  v.addr_unit = 1024;
  EXPECT_EQ(min_region_size(v), kPageSize);
}

TEST_F(Validate, NodeEligibleGoalNeedsPaddr) {
  SchemeParams s;
  s.quota.goals.push_back(QuotaGoal{GoalMetric::node_eligible_mem_bp, 5000, 0, 0, ""});
  paddr.schemes.push_back(s);
  EXPECT_EQ(validate(paddr, machine), 0);
  ContextParams v = process_params(OpsId::vaddr, 42);
  v.schemes.push_back(s);
  EXPECT_EQ(validate(v, machine), EINVAL);
}

}  // namespace
}  // namespace damon::test
