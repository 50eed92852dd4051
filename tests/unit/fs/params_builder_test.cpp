// Staged files -> engine parameters.
#include <gtest/gtest.h>

#include "tests/unit/fs/tree_fixture.h"

namespace damonfs::fs::test {
namespace {

class ParamsBuilderTest : public TreeTest {
 protected:
  ParamsBuilderTest() : TreeTest(AbiProfile::latest()) {}
  void SetUp() override {
    build_full();
    kdamond = backend.staged->find(KdamondHandle{1, 0});
    ASSERT_NE(kdamond, nullptr);
  }
  void set(std::string_view dir, std::string_view file, std::string_view value) {
    ASSERT_EQ(write(path(dir, file), value), "ok") << file << " <- " << value;
  }
  damon::ContextParams build(int expected_err = 0) {
    damon::ContextParams p;
    EXPECT_EQ(kdamond->build_params(p), expected_err);
    return p;
  }
  StagedKdamond* kdamond = nullptr;
};

TEST_F(ParamsBuilderTest, DefaultsMatchTheEngineDefaults) {
  damon::ContextParams p = build();
  EXPECT_EQ(p.ops, damon::OpsId::vaddr);
  EXPECT_EQ(p.attrs, damon::MonitoringAttrs{});
  ASSERT_EQ(p.targets.size(), 1u);
  ASSERT_EQ(p.targets[0].regions.size(), 1u);
  EXPECT_EQ(p.targets[0].regions[0], (damon::AddrRange{0, 0}));
  ASSERT_EQ(p.schemes.size(), 1u);
  const damon::SchemeParams& s = p.schemes[0];
  EXPECT_EQ(s.action, damon::Action::stat);
  EXPECT_EQ(s.target_nid, -1);
  EXPECT_TRUE(s.quota.goals.empty());  // the default goal has target_value 0
  EXPECT_EQ(s.filters.size(), 3u);
  ASSERT_EQ(s.dests.size(), 1u);
}

TEST_F(ParamsBuilderTest, EveryStagedValueArrives) {
  set(kC0, "operations", "paddr");
  set(kC0, "addr_unit", "4");
  set(kC0, "pause", "Y");
  const std::string iv = path(kC0, "monitoring_attrs/intervals");
  set(iv, "sample_us", "1000");
  set(iv, "aggr_us", "20000");
  set(iv, "update_us", "1000000");
  set(iv, "intervals_goal/access_bp", "400");
  set(iv, "intervals_goal/aggrs", "3");
  set(iv, "intervals_goal/min_sample_us", "100");
  set(iv, "intervals_goal/max_sample_us", "10000");
  set(kC0, "monitoring_attrs/nr_regions/min", "5");
  set(kC0, "monitoring_attrs/nr_regions/max", "50");
  set(kC0, "targets/0/pid_target", "123");
  set(kC0, "targets/0/obsolete_target", "Y");
  set(kC0, "targets/0/regions/0/start", "4096");
  set(kC0, "targets/0/regions/0/end", "8192");
  set(kS0, "action", "migrate_cold");
  set(kS0, "apply_interval_us", "7");
  set(kS0, "target_nid", "1");
  set(kS0, "access_pattern/sz/min", "1");
  set(kS0, "access_pattern/sz/max", "2");
  set(kS0, "access_pattern/nr_accesses/min", "3");
  set(kS0, "access_pattern/nr_accesses/max", "4");
  set(kS0, "access_pattern/age/min", "5");
  set(kS0, "access_pattern/age/max", "6");
  set(kS0, "quotas/ms", "10");
  set(kS0, "quotas/bytes", "20");
  set(kS0, "quotas/reset_interval_ms", "30");
  set(kS0, "quotas/weights/sz_permil", "1");
  set(kS0, "quotas/weights/nr_accesses_permil", "2");
  set(kS0, "quotas/weights/age_permil", "3");
  set(kS0, "quotas/goal_tuner", "temporal");
  set(kS0, "quotas/fail_charge_num", "1");
  set(kS0, "quotas/fail_charge_denom", "2");
  set(kS0, "quotas/goals/0/target_metric", "node_memcg_used_bp");
  set(kS0, "quotas/goals/0/target_value", "9000");
  set(kS0, "quotas/goals/0/current_value", "100");
  set(kS0, "quotas/goals/0/nid", "1");
  set(kS0, "quotas/goals/0/path", "/sys/fs/cgroup/a\n");
  set(kS0, "watermarks/metric", "free_mem_rate");
  set(kS0, "watermarks/interval_us", "1000");
  set(kS0, "watermarks/high", "900");
  set(kS0, "watermarks/mid", "500");
  set(kS0, "watermarks/low", "100");
  set(kS0, "dests/0/id", "1");
  set(kS0, "dests/0/weight", "3");
  set(kS0, "stats/max_nr_snapshots", "11");

  damon::ContextParams p = build();
  EXPECT_EQ(p.ops, damon::OpsId::paddr);
  EXPECT_EQ(p.addr_unit, 4u);
  EXPECT_TRUE(p.pause);
  EXPECT_EQ(p.attrs, (damon::MonitoringAttrs{1000, 20000, 1000000, {400, 3, 100, 10000}, 5, 50}));
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].pid, 123);
  EXPECT_TRUE(p.targets[0].obsolete);
  EXPECT_EQ(p.targets[0].regions, (std::vector<damon::AddrRange>{{4096, 8192}}));
  const damon::SchemeParams& s = p.schemes.at(0);
  EXPECT_EQ(s.action, damon::Action::migrate_cold);
  EXPECT_EQ(s.apply_interval_us, 7u);
  EXPECT_EQ(s.target_nid, 1);
  EXPECT_EQ(s.pattern.min_sz, 1u);
  EXPECT_EQ(s.pattern.max_sz, 2u);
  EXPECT_EQ(s.pattern.min_nr_accesses, 3u);
  EXPECT_EQ(s.pattern.max_nr_accesses, 4u);
  EXPECT_EQ(s.pattern.min_age, 5u);
  EXPECT_EQ(s.pattern.max_age, 6u);
  EXPECT_EQ(s.quota.ms, 10u);
  EXPECT_EQ(s.quota.bytes, 20u);
  EXPECT_EQ(s.quota.reset_interval_ms, 30u);
  EXPECT_EQ(s.quota.weight_sz, 1u);
  EXPECT_EQ(s.quota.weight_nr_accesses, 2u);
  EXPECT_EQ(s.quota.weight_age, 3u);
  EXPECT_EQ(s.quota.goal_tuner, damon::GoalTuner::temporal);
  EXPECT_EQ(s.quota.fail_charge_num, 1u);
  EXPECT_EQ(s.quota.fail_charge_denom, 2u);
  ASSERT_EQ(s.quota.goals.size(), 1u);
  const damon::QuotaGoal& g = s.quota.goals[0];
  EXPECT_EQ(g.metric, damon::GoalMetric::node_memcg_used_bp);
  EXPECT_EQ(g.target_value, 9000u);
  EXPECT_EQ(g.current_value, 100u);
  EXPECT_EQ(g.nid, 1);
  EXPECT_EQ(g.path, "/sys/fs/cgroup/a\n");  // verbatim: resolvers ignore one newline
  EXPECT_EQ(s.watermarks.metric, damon::WatermarkMetric::free_mem_rate);
  EXPECT_EQ(s.watermarks.interval_us, 1000u);
  EXPECT_EQ(s.watermarks.high, 900u);
  EXPECT_EQ(s.watermarks.mid, 500u);
  EXPECT_EQ(s.watermarks.low, 100u);
  ASSERT_EQ(s.dests.size(), 1u);
  EXPECT_EQ(s.dests[0].node_id, 1u);
  EXPECT_EQ(s.dests[0].weight, 3u);
  EXPECT_EQ(s.max_nr_snapshots, 11u);
}

TEST_F(ParamsBuilderTest, FiltersComeInInstallationOrder) {
  set(kS0, "filters/nr_filters", "2");
  set(kS0, "filters/0/type", "young");
  set(kS0, "filters/1/type", "target");
  set(kS0, "filters/1/damon_target_idx", "-3");
  set(kS0, "ops_filters/0/type", "memcg");
  set(kS0, "ops_filters/0/memcg_path", "/a");
  set(kS0, "ops_filters/0/matching", "Y");
  set(kS0, "core_filters/0/type", "addr");
  set(kS0, "core_filters/0/addr_start", "4096");
  set(kS0, "core_filters/0/addr_end", "8192");
  set(kS0, "core_filters/0/allow", "Y");
  damon::ContextParams p = build();
  const std::vector<damon::Filter>& f = p.schemes.at(0).filters;
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].type, damon::FilterType::addr);
  EXPECT_EQ(f[0].addr, (damon::AddrRange{4096, 8192}));
  EXPECT_TRUE(f[0].allow);
  EXPECT_EQ(f[1].type, damon::FilterType::memcg);
  EXPECT_EQ(f[1].memcg_path, "/a");
  EXPECT_TRUE(f[1].matching);
  EXPECT_EQ(f[2].type, damon::FilterType::young);
  EXPECT_EQ(f[3].type, damon::FilterType::target);
  EXPECT_EQ(f[3].target_idx, -3);
}

TEST_F(ParamsBuilderTest, GoalsWithoutATargetValueAreLeftOut) {
  set(kS0, "quotas/goals/nr_goals", "3");
  set(kS0, "quotas/goals/0/target_value", "10");
  set(kS0, "quotas/goals/2/target_value", "30");
  set(kS0, "quotas/goals/2/target_metric", "some_mem_psi_us");
  damon::ContextParams p = build();
  const std::vector<damon::QuotaGoal>& goals = p.schemes.at(0).quota.goals;
  ASSERT_EQ(goals.size(), 2u);
  EXPECT_EQ(goals[0].target_value, 10u);
  EXPECT_EQ(goals[1].target_value, 30u);
  EXPECT_EQ(goals[1].metric, damon::GoalMetric::some_mem_psi_us);
}

TEST_F(ParamsBuilderTest, UnbuildableSchemesAreEnomemWithCompleteParams) {
  set(kC0, "monitoring_attrs/nr_regions/min", "1");  // the engine's EINVAL to find
  set(kS0, "core_filters/0/type", "addr");
  set(kS0, "core_filters/0/addr_start", "8192");
  set(kS0, "core_filters/0/addr_end", "4096");
  damon::ContextParams p = build(-ENOMEM);
  EXPECT_EQ(p.attrs.min_nr_regions, 1u);
  EXPECT_EQ(p.schemes.at(0).filters.size(), 3u);

  set(kS0, "core_filters/0/addr_end", "8192");  // an empty range is fine
  build(0);
  set(kS0, "ops_filters/0/type", "hugepage_size");
  set(kS0, "ops_filters/0/min", "2097152");
  set(kS0, "ops_filters/0/max", "4096");
  build(-ENOMEM);
  set(kS0, "ops_filters/0/type", "anon");  // the bounds only matter for hugepage_size
  build(0);
}

TEST_F(ParamsBuilderTest, SplitTargetOrderIsBasePagesOrAnOrderBelowThePmd) {
  set(kS0, "action", "split");
  for (const char* order : {"0", "2", "8"}) {
    set(kS0, "target_order", order);
    damon::ContextParams p = build(0);
    EXPECT_EQ(p.schemes.at(0).action, damon::Action::split);
    EXPECT_EQ(p.schemes.at(0).target_order, std::stoul(order));
  }
  for (const char* order : {"1", "9", "100"}) {
    set(kS0, "target_order", order);
    build(-ENOMEM);
  }
}

TEST_F(ParamsBuilderTest, NeedsExactlyOneContext) {
  ASSERT_EQ(write(path(kK0, "contexts/nr_contexts"), "0"), "ok");
  build(-EINVAL);
}

}  // namespace
}  // namespace damonfs::fs::test
