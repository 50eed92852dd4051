// Seed reproduction: distributing hot memory 60/40 between two nodes with
// node_eligible_mem_bp quota goals, set up as upstream describes it (the
// node_target_mem_bp RFC, as merged into mm: one paddr context over both
// nodes; a PULL scheme migrating hot pages of node 1 to node 0 with goal
// "60% of the hot bytes on node 0", a PUSH scheme migrating hot pages of
// node 0 to node 1 with goal "40% on node 1"; the temporal goal tuner).
// Prints its figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "engine/machine/sim/scenario.h"
#include "sim_driver.h"

namespace damon {
namespace {

using test::kSecond;

std::string scenario_yaml(int start_node) {
  return R"(
name: eligible
seed: 11
machine:
  nodes:
    - {id: 0, capacity: 2GiB, latency: 90ns, cpus: true}
    - {id: 1, capacity: 2GiB, latency: 140ns, cpus: false}
processes:
  - name: app
    node: )" +
         std::to_string(start_node) + R"(
    regions:
      - {name: hot, size: 512MiB, intensity: 50}
      - {name: cold, size: 512MiB, intensity: 0.01}
)";
}

// migrate_hot of the hot pages in `from` to node `to`, aiming at `target_bp`
// of all hot bytes on `to`.
SchemeParams move_hot(AddrRange from, int to, uint64_t target_bp) {
  SchemeParams s;
  s.action = Action::migrate_hot;
  s.target_nid = to;
  s.pattern = test::any_pattern();
  s.pattern.min_nr_accesses = 2;  // 2% of the samples of an aggregation
  s.apply_interval_us = 2 * kSecond;
  s.quota.reset_interval_ms = 2000;
  s.quota.bytes = 8 << 20;
  s.quota.weight_nr_accesses = 1;
  s.quota.weight_age = 1;
  s.quota.goal_tuner = GoalTuner::temporal;
  QuotaGoal goal;
  goal.metric = GoalMetric::node_eligible_mem_bp;
  goal.nid = to;
  goal.target_value = target_bp;
  s.quota.goals = {goal};
  Filter only_from;
  only_from.type = FilterType::addr;
  only_from.addr = from;
  only_from.matching = true;
  only_from.allow = true;
  s.filters = {only_from};
  return s;
}

// Share of the hot region on node 0, every 5 s for `seconds`.
std::vector<double> run_from(int start_node, int seconds) {
  test::SimDriver driver(sim::parse_yaml_scenario(scenario_yaml(start_node), "eligible.yaml"));
  const int pid = *driver.machine().pid_of("app");
  const AddrRange n0 = *driver.machine().node_range(0);
  const AddrRange n1 = *driver.machine().node_range(1);
  ContextParams p;
  p.ops = OpsId::paddr;
  // 100 samples per aggregation: sparse hot pages left behind by
  // migrations are still told apart from cold ones.
  p.attrs.aggr_us = 500000;
  p.attrs.min_nr_regions = 100;
  p.targets.push_back(TargetParams{0, false, {{n0.start, n1.end}}});
  p.schemes = {move_hot(n1, 0, 6000), move_hot(n0, 1, 4000)};
  EXPECT_NE(driver.start(p), SIZE_MAX);

  std::vector<double> share0;
  std::printf(
      "[seed node_eligible] hot memory starts on node %d; its share on node 0 every 5 s:\n ",
      start_node);
  for (int t = 5; t <= seconds; t += 5) {
    driver.run_for(5 * kSecond);
    const double on0 = static_cast<double>(test::resident_on(driver.machine(), pid, "hot", 0));
    const double on1 = static_cast<double>(test::resident_on(driver.machine(), pid, "hot", 1));
    share0.push_back(on0 / (on0 + on1));
    std::printf(" %.0f%%", 100 * share0.back());
  }
  const std::vector<SchemeStats> st = driver.schemes(0).stats();
  std::printf("\n  migrated to node 0: %lu MiB, to node 1: %lu MiB\n", st[0].sz_applied >> 20,
              st[1].sz_applied >> 20);
  return share0;
}

// From `from_s` on, the share stays within 60% +-5% and moves by at most
// 5 points overall (no oscillation).
void expect_settled(const std::vector<double>& share0, int from_s) {
  const size_t first = static_cast<size_t>(from_s / 5 - 1);
  ASSERT_GT(share0.size(), first);
  const auto [lo, hi] =
      std::minmax_element(share0.begin() + static_cast<std::ptrdiff_t>(first), share0.end());
  EXPECT_NEAR(*lo, 0.60, 0.05);
  EXPECT_NEAR(*hi, 0.60, 0.05);
  EXPECT_LE(*hi - *lo, 0.05);
}

TEST(SeedNodeEligible, SettlesAt60To40FromNode0) { expect_settled(run_from(0, 200), 140); }

TEST(SeedNodeEligible, SettlesAt60To40FromNode1) { expect_settled(run_from(1, 200), 140); }

}  // namespace
}  // namespace damon
