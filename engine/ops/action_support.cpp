#include "engine/ops/action_support.h"

namespace damon {

ActionEffect virtual_action_effect(Action action) {
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

ActionEffect physical_action_effect(Action action) {
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

namespace {

// The scores both address spaces give.
ScoreKind common_score_kind(Action action) {
  switch (action) {
    case Action::pageout:
    case Action::migrate_cold:
      return ScoreKind::cold;
    case Action::migrate_hot:
      return ScoreKind::hot;
    default:
      return ScoreKind::max;
  }
}

}  // namespace

ScoreKind virtual_score_kind(Action action) { return common_score_kind(action); }

ScoreKind physical_score_kind(Action action) {
  switch (action) {
    case Action::lru_prio:
      return ScoreKind::hot;
    case Action::lru_deprio:
      return ScoreKind::cold;
    default:
      return common_score_kind(action);
  }
}

}  // namespace damon
