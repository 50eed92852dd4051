#include "engine/damos/scheme.h"

namespace damon {

Scheme::Scheme(const SchemeParams& p) : params(p), filters(p.filters) {
  for (const QuotaGoal& g : p.quota.goals) goals.push_back(LiveGoal{g});
}

void Scheme::commit(const SchemeParams& p) {
  params = p;
  filters = FilterSet(p.filters);
  commit_goals(p.quota.goals);
  // The kernel copies the whole watermarks struct, including the
  // "activated" flag of the freshly built source scheme.
  wmarks.reset();
}

void Scheme::commit_goals(const std::vector<QuotaGoal>& src) {
  params.quota.goals = src;
  if (goals.size() > src.size()) goals.resize(src.size());
  for (size_t i = 0; i < goals.size(); ++i) {
    QuotaGoal& dst = goals[i].goal;
    // Measured metrics keep their last value until the next evaluation;
    // only user_input takes the value the user wrote.
    const uint64_t measured = dst.current_value;
    dst = src[i];
    if (dst.metric != GoalMetric::user_input) dst.current_value = measured;
  }
  for (size_t i = goals.size(); i < src.size(); ++i) goals.push_back(LiveGoal{src[i]});
}

}  // namespace damon
