#include "engine/damos/apply_action.h"

#include <gtest/gtest.h>

#include "view_fixture.h"

namespace damon {
namespace {

using test::FakeFolio;

Filter filter(FilterType type, bool matching, bool allow) {
  Filter f;
  f.type = type;
  f.matching = matching;
  f.allow = allow;
  return f;
}

class ApplyAction : public ::testing::Test {
 protected:
  ApplyOutcome apply(Action action, AddrRange region, const std::vector<Filter>& filters = {},
                     int target_nid = -1, const std::vector<Dest>& dests = {},
                     bool core_allowed = false) {
    const FilterSet set(filters);
    const SchemeAction act{action, target_nid, dests, set, core_allowed};
    if (f.targets.empty()) f.targets.resize(1);
    return apply_action(f.view(), f.targets[0], region, act, last_folio);
  }

  test::ViewFixture f;
  std::optional<uint64_t> last_folio;
};

TEST_F(ApplyAction, VirtualMadviseIgnoresOpsFilters) {
  f.ops = OpsId::vaddr;
  f.targets.resize(1);
  f.targets[0].pid = 42;
  const ApplyOutcome out =
      apply(Action::pageout, {0x1000, 0x3000}, {filter(FilterType::anon, true, false)});
  EXPECT_EQ(out.applied, 0x2000u);
  EXPECT_EQ(out.filter_passed, 0u);
  ASSERT_EQ(f.machine.madvise_calls().size(), 1u);
  EXPECT_EQ(f.machine.madvise_calls()[0].pid, 42);
  EXPECT_EQ(f.machine.madvise_calls()[0].range, (AddrRange{0x1000, 0x3000}));
  EXPECT_EQ(f.machine.madvise_calls()[0].action, Action::pageout);
}

TEST_F(ApplyAction, VirtualLruActionsDoNothing) {
  f.ops = OpsId::fvaddr;
  EXPECT_EQ(apply(Action::lru_prio, {0, 0x1000}).applied, 0u);
  EXPECT_TRUE(f.machine.madvise_calls().empty());
}

TEST_F(ApplyAction, PhysicalMadviseActionsDoNothing) {
  f.machine.place(Space::phys(), 0, 0x4000, {});
  for (Action a :
       {Action::willneed, Action::cold, Action::hugepage, Action::nohugepage, Action::collapse})
    EXPECT_EQ(apply(a, {0, 0x4000}).applied, 0u);
  EXPECT_TRUE(f.machine.madvise_calls().empty());
}

TEST_F(ApplyAction, PhysicalPageoutSparesYoungFolios) {
  f.machine.add_node(0, 1 << 20);
  f.machine.place(Space::phys(), 0, 0x2000, FakeFolio{.young = true});
  f.machine.place(Space::phys(), 0x2000, 0x5000, FakeFolio{.young = false});
  const ApplyOutcome out = apply(Action::pageout, {0, 0x5000});
  EXPECT_EQ(out.applied, 0x3000u);
  EXPECT_EQ(out.filter_passed, 0x3000u);
  EXPECT_TRUE(f.machine.folio(Space::phys(), 0).present);
  EXPECT_FALSE(f.machine.folio(Space::phys(), 0x2000).present);
  // The young check consumed the accessed bit.
  EXPECT_FALSE(f.machine.folio(Space::phys(), 0).young);
}

TEST_F(ApplyAction, PhysicalPageoutUserYoungFilterReplacesTheImplicitOne) {
  f.machine.add_node(0, 1 << 20);
  f.machine.place(Space::phys(), 0, 0x2000, FakeFolio{.young = true});
  f.machine.place(Space::phys(), 0x2000, 0x3000, FakeFolio{.young = false});
  // Allow only young: the implicit "reject young" is not added.
  const ApplyOutcome out =
      apply(Action::pageout, {0, 0x3000}, {filter(FilterType::young, true, true)});
  EXPECT_EQ(out.applied, 0x2000u);
  EXPECT_FALSE(f.machine.folio(Space::phys(), 0).present);
  EXPECT_TRUE(f.machine.folio(Space::phys(), 0x2000).present);
}

TEST_F(ApplyAction, CoreAllowSkipsOpsFiltersIncludingImplicitYoung) {
  f.machine.add_node(0, 1 << 20);
  f.machine.place(Space::phys(), 0, 0x2000, FakeFolio{.anon = true, .young = true});
  const ApplyOutcome out =
      apply(Action::pageout, {0, 0x2000}, {filter(FilterType::anon, true, false)}, -1, {},
            /*core_allowed=*/true);
  EXPECT_EQ(out.applied, 0x2000u);
}

TEST_F(ApplyAction, PhysicalLruCountsEveryPassingFolio) {
  f.machine.place(Space::phys(), 0, 0x1000, FakeFolio{.anon = true, .active = true});
  f.machine.place(Space::phys(), 0x1000, 0x3000, FakeFolio{.anon = false, .active = false});
  const ApplyOutcome out =
      apply(Action::lru_prio, {0, 0x3000}, {filter(FilterType::anon, true, false)});
  EXPECT_EQ(out.applied, 0x2000u);
  EXPECT_EQ(out.filter_passed, 0x2000u);
  EXPECT_TRUE(f.machine.folio(Space::phys(), 0x1000).active);
  EXPECT_EQ(apply(Action::lru_deprio, {0, 0x3000}).applied, 0x3000u);
  EXPECT_FALSE(f.machine.folio(Space::phys(), 0).active);
}

TEST_F(ApplyAction, PhysicalMigrateToTargetNid) {
  f.machine.add_node(0, 1 << 20);
  f.machine.add_node(1, 1 << 20);
  f.machine.place(Space::phys(), 0, 0x2000, FakeFolio{.node = 0});
  f.machine.place(Space::phys(), 0x2000, 0x3000, FakeFolio{.node = 1});
  const ApplyOutcome out = apply(Action::migrate_hot, {0, 0x3000}, {}, 1);
  EXPECT_EQ(out.applied, 0x2000u);  // the folio already on node 1 does not count
  EXPECT_EQ(f.machine.bytes_on_node(Space::phys(), 1), 0x3000u);
}

TEST_F(ApplyAction, MigrateToInvalidNodeMovesNothing) {
  f.machine.add_node(0, 1 << 20);
  f.machine.place(Space::phys(), 0, 0x2000, FakeFolio{.node = 0});
  EXPECT_EQ(apply(Action::migrate_cold, {0, 0x2000}, {}, -1).applied, 0u);
  EXPECT_EQ(apply(Action::migrate_cold, {0, 0x2000}, {}, 7).applied, 0u);
  EXPECT_EQ(f.machine.migrations(), 0u);
}

TEST_F(ApplyAction, StatCountsFilterPassedOnlyWithOpsFilters) {
  f.machine.place(Space::phys(), 0, 0x1000, FakeFolio{.anon = true});
  f.machine.place(Space::phys(), 0x1000, 0x4000, FakeFolio{.anon = false});
  const ApplyOutcome plain = apply(Action::stat, {0, 0x4000});
  EXPECT_EQ(plain.applied, 0u);
  EXPECT_EQ(plain.filter_passed, 0u);
  last_folio.reset();
  const ApplyOutcome filtered =
      apply(Action::stat, {0, 0x4000}, {filter(FilterType::anon, true, true)});
  EXPECT_EQ(filtered.applied, 0u);
  EXPECT_EQ(filtered.filter_passed, 0x1000u);
}

TEST_F(ApplyAction, PhysicalInAddressUnits) {
  f.addr_unit = 16;
  f.machine.add_node(0, 1 << 20);
  f.machine.place(Space::phys(), 0, 0x4000, FakeFolio{.young = false});
  // Core [0, 0x400) is physical [0, 0x4000).
  const ApplyOutcome out = apply(Action::pageout, {0, 0x400});
  EXPECT_EQ(out.applied, 0x400u);
  EXPECT_EQ(out.filter_passed, 0x400u);
}

TEST_F(ApplyAction, LargeFolioStraddlingRegionsHandledOnce) {
  f.machine.place(Space::phys(), 0, 0x200000, FakeFolio{.size = 2u << 20});
  EXPECT_EQ(apply(Action::lru_prio, {0, 0x100000}).applied, 0x200000u);
  EXPECT_EQ(apply(Action::lru_prio, {0x100000, 0x200000}).applied, 0u);
  // A new round forgets it.
  last_folio.reset();
  EXPECT_EQ(apply(Action::lru_prio, {0x100000, 0x200000}).applied, 0x200000u);
}

class VirtualMigrate : public ::testing::Test {
 protected:
  static constexpr int kPid = 7;
  static constexpr uint64_t kStart = 0x7f0000000000;
  static constexpr uint64_t kSize = 256 * kPageSize;

  void SetUp() override {
    f.ops = OpsId::vaddr;
    f.targets.resize(1);
    f.targets[0].pid = kPid;
    f.machine.add_node(0, 1 << 30);
    f.machine.add_node(1, 1 << 30);
    Vma vma;
    vma.start = kStart;
    vma.end = kStart + kSize;
    vma.pgoff = kStart / kPageSize;
    f.machine.add_vma(kPid, vma);
    f.machine.place(Space::process(kPid), kStart, kStart + kSize, FakeFolio{.node = 0});
  }

  ApplyOutcome migrate(const std::vector<Dest>& dests, int target_nid = -1,
                       const std::vector<Filter>& filters = {}) {
    const FilterSet set(filters);
    const SchemeAction act{Action::migrate_hot, target_nid, dests, set, false};
    std::optional<uint64_t> last;
    return apply_action(f.view(), f.targets[0], {kStart, kStart + kSize}, act, last);
  }

  test::ViewFixture f;
};

TEST_F(VirtualMigrate, ToTargetNidWithoutDests) {
  const ApplyOutcome out = migrate({}, 1);
  EXPECT_EQ(out.applied, kSize);
  EXPECT_EQ(out.filter_passed, 0u);  // vaddr migration does not report it
  EXPECT_EQ(f.machine.bytes_on_node(Space::process(kPid), 1), kSize);
}

TEST_F(VirtualMigrate, InterleaveConvergesAndThenStaysPut) {
  EXPECT_EQ(migrate({{0, 1}, {1, 1}}).applied, kSize / 2);
  EXPECT_EQ(f.machine.bytes_on_node(Space::process(kPid), 0), kSize / 2);
  EXPECT_EQ(migrate({{0, 1}, {1, 1}}).applied, 0u);
  // New weights move only the pages whose node changed.
  EXPECT_EQ(migrate({{0, 3}, {1, 1}}).applied, kSize / 4);
  EXPECT_EQ(f.machine.bytes_on_node(Space::process(kPid), 0), kSize * 3 / 4);
}

TEST_F(VirtualMigrate, OpsFiltersApply) {
  f.machine.folio(Space::process(kPid), kStart).young = true;
  const ApplyOutcome out = migrate({}, 1, {filter(FilterType::young, true, true)});
  EXPECT_EQ(out.applied, kPageSize);
}

TEST_F(VirtualMigrate, ZeroWeightsMoveNothing) { EXPECT_EQ(migrate({{0, 0}, {1, 0}}).applied, 0u); }

}  // namespace
}  // namespace damon
