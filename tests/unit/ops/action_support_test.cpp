#include "engine/ops/action_support.h"

#include <gtest/gtest.h>

#include "engine/ops/registry.h"

namespace damon {
namespace {

ActionEffect action_effect(OpsId ops, Action action) {
  return ops == OpsId::paddr ? physical_action_effect(action) : virtual_action_effect(action);
}

// Through the registry, as DAMOS sees it.
ScoreKind action_score_kind(OpsId ops, Action action) {
  return make_operations(ops)->score_kind(action);
}

TEST(ActionSupport, VirtualOpsMadviseAndMigrate) {
  for (OpsId ops : {OpsId::vaddr, OpsId::fvaddr}) {
    for (Action a : {Action::willneed, Action::cold, Action::pageout, Action::hugepage,
                     Action::nohugepage, Action::collapse, Action::split})
      EXPECT_EQ(action_effect(ops, a), ActionEffect::madvise);
    EXPECT_EQ(action_effect(ops, Action::lru_prio), ActionEffect::none);
    EXPECT_EQ(action_effect(ops, Action::lru_deprio), ActionEffect::none);
    EXPECT_EQ(action_effect(ops, Action::migrate_hot), ActionEffect::migrate);
    EXPECT_EQ(action_effect(ops, Action::migrate_cold), ActionEffect::migrate);
    EXPECT_EQ(action_effect(ops, Action::stat), ActionEffect::stat);
  }
}

TEST(ActionSupport, PhysicalOpsPerFolioActions) {
  for (Action a :
       {Action::willneed, Action::cold, Action::hugepage, Action::nohugepage, Action::collapse,
        Action::split})
    EXPECT_EQ(action_effect(OpsId::paddr, a), ActionEffect::none);
  EXPECT_EQ(action_effect(OpsId::paddr, Action::pageout), ActionEffect::pageout);
  EXPECT_EQ(action_effect(OpsId::paddr, Action::lru_prio), ActionEffect::lru_activate);
  EXPECT_EQ(action_effect(OpsId::paddr, Action::lru_deprio), ActionEffect::lru_deactivate);
  EXPECT_EQ(action_effect(OpsId::paddr, Action::migrate_hot), ActionEffect::migrate);
  EXPECT_EQ(action_effect(OpsId::paddr, Action::stat), ActionEffect::stat);
}

TEST(ActionSupport, ScoreKinds) {
  EXPECT_EQ(action_score_kind(OpsId::vaddr, Action::pageout), ScoreKind::cold);
  EXPECT_EQ(action_score_kind(OpsId::paddr, Action::pageout), ScoreKind::cold);
  EXPECT_EQ(action_score_kind(OpsId::vaddr, Action::migrate_hot), ScoreKind::hot);
  EXPECT_EQ(action_score_kind(OpsId::paddr, Action::migrate_cold), ScoreKind::cold);
  EXPECT_EQ(action_score_kind(OpsId::paddr, Action::lru_prio), ScoreKind::hot);
  EXPECT_EQ(action_score_kind(OpsId::paddr, Action::lru_deprio), ScoreKind::cold);
  EXPECT_EQ(action_score_kind(OpsId::vaddr, Action::lru_prio), ScoreKind::max);
  EXPECT_EQ(action_score_kind(OpsId::vaddr, Action::willneed), ScoreKind::max);
  EXPECT_EQ(action_score_kind(OpsId::paddr, Action::stat), ScoreKind::max);
}

}  // namespace
}  // namespace damon
