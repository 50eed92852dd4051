#include "engine/ops/ops_filters.h"

#include <gtest/gtest.h>

#include "engine/damos/filters.h"
#include "tests/support/folio_machine.h"

namespace damon {
namespace {

Filter ops_filter(FilterType type, bool matching, bool allow) {
  Filter f;
  f.type = type;
  f.matching = matching;
  f.allow = allow;
  return f;
}

// The ops group of `filters` as DAMOS sorts it.
bool folio_passes_ops_filters(const FilterSet& set, const Filter* extra, Machine& machine,
                              Space space, const FolioInfo& folio) {
  return damon::folio_passes_ops_filters(set.ops(), set.ops_default_reject(), extra, machine,
                                         space, folio);
}

TEST(OpsFilters, YoungFilterPresence) {
  const FilterSet set({ops_filter(FilterType::anon, true, false),
                       ops_filter(FilterType::young, true, true)});
  EXPECT_TRUE(has_young_filter(set.ops()));
  EXPECT_FALSE(has_young_filter(FilterSet({ops_filter(FilterType::anon, true, false)}).ops()));
}

TEST(OpsFilters, OpsFilterTypesPerFolio) {
  test::FolioMachine m;
  const Space phys = Space::phys();
  m.place(phys, 0x0000, 0x1000, {.anon = true});
  m.place(phys, 0x1000, 0x2000, {.anon = false, .active = true, .mapped = false, .memcg = "/a"});
  m.place(phys, 0x200000, 0x400000, {.size = 2u << 20, .young = true});
  const auto folios = m.folios(phys, {0, 0x400000});
  ASSERT_EQ(folios.size(), 3u);

  auto passes = [&](const Filter& f, const FolioInfo& folio) {
    return folio_passes_ops_filters(FilterSet({f}), nullptr, m, phys, folio);
  };
  // Reject filters: a match drops the folio.
  EXPECT_FALSE(passes(ops_filter(FilterType::anon, true, false), folios[0]));
  EXPECT_TRUE(passes(ops_filter(FilterType::anon, true, false), folios[1]));
  EXPECT_FALSE(passes(ops_filter(FilterType::active, true, false), folios[1]));
  EXPECT_FALSE(passes(ops_filter(FilterType::unmapped, true, false), folios[1]));
  EXPECT_TRUE(passes(ops_filter(FilterType::unmapped, true, false), folios[0]));
  Filter memcg = ops_filter(FilterType::memcg, true, false);
  memcg.memcg_path = "/a\n";  // as written by echo
  EXPECT_FALSE(passes(memcg, folios[1]));
  EXPECT_TRUE(passes(memcg, folios[0]));
  Filter huge = ops_filter(FilterType::hugepage_size, true, true);
  huge.min_sz = 2u << 20;
  huge.max_sz = 2u << 20;
  EXPECT_TRUE(passes(huge, folios[2]));
  EXPECT_FALSE(passes(huge, folios[0]));  // no match, last filter allows: dropped
}

TEST(OpsFilters, YoungFilterTestsAndClears) {
  test::FolioMachine m;
  const Space phys = Space::phys();
  m.place(phys, 0, 0x1000, {.young = true});
  const FolioInfo folio = m.folios(phys, {0, 0x1000})[0];
  const FilterSet allow_young({ops_filter(FilterType::young, true, true)});
  EXPECT_TRUE(folio_passes_ops_filters(allow_young, nullptr, m, phys, folio));
  EXPECT_FALSE(m.folio(phys, 0).young);
  // Checked again with no access since: not young any more.
  EXPECT_FALSE(folio_passes_ops_filters(allow_young, nullptr, m, phys, folio));
}

TEST(OpsFilters, ExtraFilterJudgedAfterTheGroupWithTheGroupsDefault) {
  test::FolioMachine m;
  const Space phys = Space::phys();
  m.place(phys, 0, 0x1000, {.anon = false, .young = true});
  m.place(phys, 0x1000, 0x2000, {.anon = false, .young = false});
  const auto folios = m.folios(phys, {0, 0x2000});
  const Filter young_reject = implicit_young_reject();
  const FilterSet none(std::vector<Filter>{});
  EXPECT_FALSE(folio_passes_ops_filters(none, &young_reject, m, phys, folios[0]));
  EXPECT_TRUE(folio_passes_ops_filters(none, &young_reject, m, phys, folios[1]));
  // An earlier user filter decides before the extra one is looked at.
  m.folio(phys, 0).young = true;
  const FilterSet allow_file({ops_filter(FilterType::anon, false, true)});
  EXPECT_TRUE(folio_passes_ops_filters(allow_file, &young_reject, m, phys, folios[0]));
  EXPECT_TRUE(m.folio(phys, 0).young);
}

}  // namespace
}  // namespace damon
