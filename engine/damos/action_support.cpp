#include "engine/damos/action_support.h"

namespace damon {

namespace {

ActionEffect virtual_effect(Action action) {
  switch (action) {
    case Action::willneed:
    case Action::cold:
    case Action::pageout:
    case Action::hugepage:
    case Action::nohugepage:
    case Action::collapse:
    case Action::split:
      return ActionEffect::madvise;
    case Action::migrate_hot:
    case Action::migrate_cold:
      return ActionEffect::migrate;
    case Action::stat:
      return ActionEffect::stat;
    case Action::lru_prio:
    case Action::lru_deprio:
      break;
  }
  return ActionEffect::none;
}

ActionEffect physical_effect(Action action) {
  switch (action) {
    case Action::pageout:
      return ActionEffect::pageout;
    case Action::lru_prio:
      return ActionEffect::lru_activate;
    case Action::lru_deprio:
      return ActionEffect::lru_deactivate;
    case Action::migrate_hot:
    case Action::migrate_cold:
      return ActionEffect::migrate;
    case Action::stat:
      return ActionEffect::stat;
    case Action::willneed:
    case Action::cold:
    case Action::hugepage:
    case Action::nohugepage:
    case Action::collapse:
    case Action::split:
      break;
  }
  return ActionEffect::none;
}

}  // namespace

ActionEffect action_effect(OpsId ops, Action action) {
  return ops == OpsId::paddr ? physical_effect(action) : virtual_effect(action);
}

ScoreKind action_score_kind(OpsId ops, Action action) {
  switch (action) {
    case Action::pageout:
    case Action::migrate_cold:
      return ScoreKind::cold;
    case Action::migrate_hot:
      return ScoreKind::hot;
    // Only paddr scores the LRU actions; vaddr gives them the max score
    // like any other action it does not rank.
    case Action::lru_prio:
      return ops == OpsId::paddr ? ScoreKind::hot : ScoreKind::max;
    case Action::lru_deprio:
      return ops == OpsId::paddr ? ScoreKind::cold : ScoreKind::max;
    default:
      return ScoreKind::max;
  }
}

}  // namespace damon
