#include "engine/damos/filters.h"

#include <gtest/gtest.h>

#include "tests/support/folio_machine.h"

namespace damon {
namespace {

Filter addr_filter(uint64_t start, uint64_t end, bool matching, bool allow) {
  Filter f;
  f.type = FilterType::addr;
  f.addr = {start, end};
  f.matching = matching;
  f.allow = allow;
  return f;
}

Filter target_filter(int idx, bool matching, bool allow) {
  Filter f;
  f.type = FilterType::target;
  f.target_idx = idx;
  f.matching = matching;
  f.allow = allow;
  return f;
}

Filter ops_filter(FilterType type, bool matching, bool allow) {
  Filter f;
  f.type = type;
  f.matching = matching;
  f.allow = allow;
  return f;
}

std::vector<Region> regions_of(std::initializer_list<AddrRange> ranges) {
  std::vector<Region> out;
  for (const AddrRange& r : ranges) {
    Region reg;
    reg.ar = r;
    reg.age = 7;
    out.push_back(reg);
  }
  return out;
}

TEST(Filters, SortedIntoGroupsInInstallationOrder) {
  const FilterSet set({ops_filter(FilterType::anon, true, false), target_filter(1, true, true),
                       addr_filter(0, 4096, true, false),
                       ops_filter(FilterType::young, true, true)});
  ASSERT_EQ(set.core().size(), 2u);
  EXPECT_EQ(set.core()[0].type, FilterType::target);
  EXPECT_EQ(set.core()[1].type, FilterType::addr);
  ASSERT_EQ(set.ops().size(), 2u);
  EXPECT_EQ(set.ops()[0].type, FilterType::anon);
}

TEST(Filters, DefaultFollowsTheLastFilterOfTheGroup) {
  EXPECT_FALSE(FilterSet(std::vector<Filter>{}).core_default_reject());
  EXPECT_TRUE(FilterSet({target_filter(0, true, true)}).core_default_reject());
  EXPECT_FALSE(FilterSet({target_filter(0, true, true), target_filter(1, true, false)})
                   .core_default_reject());
  EXPECT_TRUE(FilterSet({ops_filter(FilterType::anon, true, true)}).ops_default_reject());
  EXPECT_FALSE(FilterSet({ops_filter(FilterType::anon, true, false)}).ops_default_reject());
}

TEST(Filters, CoreDefaultPassesWhenOpsFiltersExist) {
  const FilterSet set({target_filter(0, true, true), ops_filter(FilterType::anon, true, false)});
  EXPECT_FALSE(set.core_default_reject());
  auto regions = regions_of({{0, 4096}});
  // Target 1 matches no core filter: passes on to the ops group.
  EXPECT_TRUE(judge_core_filters(set, 1, regions, 0, kPageSize).pass);
}

TEST(Filters, FirstMatchingFilterDecides) {
  const FilterSet set({target_filter(0, true, false), target_filter(0, true, true)});
  auto regions = regions_of({{0, 4096}});
  EXPECT_FALSE(judge_core_filters(set, 0, regions, 0, kPageSize).pass);
  // Target 1: no match; the last filter allows, so the default drops.
  EXPECT_FALSE(judge_core_filters(set, 1, regions, 0, kPageSize).pass);
}

TEST(Filters, NonMatchingConditionWithMatchingFalse) {
  const FilterSet set({target_filter(0, false, true)});  // allow every target but 0
  auto regions = regions_of({{0, 4096}});
  const CoreVerdict v = judge_core_filters(set, 2, regions, 0, kPageSize);
  EXPECT_TRUE(v.pass);
  EXPECT_TRUE(v.allowed);
  EXPECT_FALSE(judge_core_filters(set, 0, regions, 0, kPageSize).pass);
}

TEST(Filters, AllowDecisionIsReported) {
  auto regions = regions_of({{0, 4096}});
  EXPECT_TRUE(
      judge_core_filters(FilterSet({target_filter(0, true, true)}), 0, regions, 0, kPageSize)
          .allowed);
  EXPECT_FALSE(
      judge_core_filters(FilterSet({target_filter(0, true, false)}), 1, regions, 0, kPageSize)
          .allowed);
}

TEST(Filters, AddrFilterSplitsAtRangeStart) {
  const FilterSet set({addr_filter(0x3000, 0x6000, true, false)});
  auto regions = regions_of({{0x1000, 0x8000}});
  // The part before the range passes; the rest waits as its own region.
  EXPECT_TRUE(judge_core_filters(set, 0, regions, 0, kPageSize).pass);
  ASSERT_EQ(regions.size(), 2u);
  EXPECT_EQ(regions[0].ar, (AddrRange{0x1000, 0x3000}));
  EXPECT_EQ(regions[1].ar, (AddrRange{0x3000, 0x8000}));
  EXPECT_EQ(regions[1].age, 7u);
  // Offered next, the in-range part is split at the range end and rejected.
  EXPECT_FALSE(judge_core_filters(set, 0, regions, 1, kPageSize).pass);
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_EQ(regions[1].ar, (AddrRange{0x3000, 0x6000}));
  EXPECT_EQ(regions[2].ar, (AddrRange{0x6000, 0x8000}));
  EXPECT_TRUE(judge_core_filters(set, 0, regions, 2, kPageSize).pass);
}

TEST(Filters, AddrBoundsAlignDownToMinRegionSize) {
  const FilterSet set({addr_filter(0x1fff, 0x4fff, true, false)});  // = [0x1000, 0x4000)
  auto regions = regions_of({{0x1000, 0x4000}});
  EXPECT_FALSE(judge_core_filters(set, 0, regions, 0, kPageSize).pass);
  EXPECT_EQ(regions.size(), 1u);
}

}  // namespace
}  // namespace damon
