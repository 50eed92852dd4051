#include "engine/damos/goal_metrics.h"

#include <gtest/gtest.h>

#include "view_fixture.h"

namespace damon {
namespace {

using test::FakeFolio;

LiveGoal live_goal(GoalMetric metric, int nid = 0) {
  LiveGoal g;
  g.goal.metric = metric;
  g.goal.target_value = 1;
  g.goal.nid = nid;
  return g;
}

TEST(GoalMetrics, NodeMemUsedAndFree) {
  test::FolioMachine m;
  m.add_node(0, 1000 * kPageSize);
  m.set_node_free(0, 250 * kPageSize);
  EXPECT_EQ(node_mem_bp(m, GoalMetric::node_mem_used_bp, 0), 7500u);
  EXPECT_EQ(node_mem_bp(m, GoalMetric::node_mem_free_bp, 0), 2500u);
  // Missing or memoryless node.
  EXPECT_EQ(node_mem_bp(m, GoalMetric::node_mem_used_bp, 3), 0u);
  EXPECT_EQ(node_mem_bp(m, GoalMetric::node_mem_free_bp, 3), 10000u);
  EXPECT_EQ(node_mem_bp(m, GoalMetric::node_mem_free_bp, -1), 10000u);
  m.add_node(4, 0);
  EXPECT_EQ(node_mem_bp(m, GoalMetric::node_mem_used_bp, 4), 0u);
}

TEST(GoalMetrics, NodeMemcg) {
  test::FolioMachine m;
  m.add_node(0, 1000 * kPageSize);
  m.set_memcg_node_bytes("/workload", 0, 100 * kPageSize);
  EXPECT_EQ(node_memcg_bp(m, GoalMetric::node_memcg_used_bp, 0, "/workload\n"), 1000u);
  EXPECT_EQ(node_memcg_bp(m, GoalMetric::node_memcg_free_bp, 0, "/workload"), 9000u);
  EXPECT_EQ(node_memcg_bp(m, GoalMetric::node_memcg_used_bp, 0, "/gone"), 0u);
  EXPECT_EQ(node_memcg_bp(m, GoalMetric::node_memcg_free_bp, 0, "/gone"), 10000u);
  EXPECT_EQ(node_memcg_bp(m, GoalMetric::node_memcg_free_bp, 1, "/workload"), 10000u);
}

TEST(GoalMetrics, LruRatios) {
  test::FolioMachine m;
  EXPECT_EQ(lru_ratio_bp(m, GoalMetric::active_mem_bp), 0u);
  m.set_lru_bytes(300, 100);
  EXPECT_EQ(lru_ratio_bp(m, GoalMetric::active_mem_bp), 7500u);
  EXPECT_EQ(lru_ratio_bp(m, GoalMetric::inactive_mem_bp), 2500u);
}

TEST(GoalMetrics, HugepageMemIsHugePagesOverUsedMemory) {
  test::FolioMachine m;
  EXPECT_EQ(hugepage_mem_bp(m), 0u);  // no memory in use
  m.add_node(0, 1000 * kPageSize);
  m.add_node(1, 1000 * kPageSize);
  m.set_node_free(0, 600 * kPageSize);
  m.set_node_free(1, 800 * kPageSize);
  m.set_hugepage_bytes(150 * kPageSize);  // of 600 pages in use
  EXPECT_EQ(hugepage_mem_bp(m), 2500u);
  test::ViewFixture f;
  f.machine.add_node(0, 1000 * kPageSize);
  f.machine.set_node_free(0, 500 * kPageSize);
  f.machine.set_hugepage_bytes(500 * kPageSize);
  LiveGoal g = live_goal(GoalMetric::hugepage_mem_bp);
  refresh_goal(g, f.view(), test::any_pattern());
  EXPECT_EQ(g.goal.current_value, 10000u);
}

TEST(GoalMetrics, PsiIsTheStallSinceTheLastEvaluation) {
  test::ViewFixture f;
  LiveGoal g = live_goal(GoalMetric::some_mem_psi_us);
  f.machine.set_psi_total_us(1000);
  refresh_goal(g, f.view(), test::any_pattern());
  EXPECT_EQ(g.goal.current_value, 1000u);
  f.machine.set_psi_total_us(1600);
  refresh_goal(g, f.view(), test::any_pattern());
  EXPECT_EQ(g.goal.current_value, 600u);
}

TEST(GoalMetrics, UserInputKeepsTheCommittedValue) {
  test::ViewFixture f;
  LiveGoal g = live_goal(GoalMetric::user_input);
  g.goal.current_value = 1234;
  refresh_goal(g, f.view(), test::any_pattern());
  EXPECT_EQ(g.goal.current_value, 1234u);
}

class NodeEligible : public ::testing::Test {
 protected:
  void SetUp() override {
    f.machine.add_node(0, 1 << 30);
    f.machine.add_node(1, 1 << 30);
    // Hot region [0, 64K): 48K on node 0, 16K on node 1. Cold region
    // [64K, 128K) all on node 1.
    f.machine.place(Space::phys(), 0, 0xc000, FakeFolio{.node = 0});
    f.machine.place(Space::phys(), 0xc000, 0x20000, FakeFolio{.node = 1});
    f.add_region(0, 0, 0x10000, 10);
    f.add_region(0, 0x10000, 0x20000, 0);
    hot.min_nr_accesses = 5;
  }
  test::ViewFixture f;
  AccessPattern hot = test::any_pattern();
};

TEST_F(NodeEligible, ShareOfPatternMatchingBytesOnTheNode) {
  EXPECT_EQ(node_eligible_mem_bp(f.view(), hot, 0), 7500u);
  EXPECT_EQ(node_eligible_mem_bp(f.view(), hot, 1), 2500u);
  // Every region matching: 48K of 128K on node 0.
  EXPECT_EQ(node_eligible_mem_bp(f.view(), test::any_pattern(), 0), 3750u);
}

TEST_F(NodeEligible, ZeroForOtherOpsMissingNodesOrNothingEligible) {
  EXPECT_EQ(node_eligible_mem_bp(f.view(), hot, 5), 0u);
  EXPECT_EQ(node_eligible_mem_bp(f.view(), hot, -1), 0u);
  AccessPattern nothing = hot;
  nothing.min_age = 100;
  EXPECT_EQ(node_eligible_mem_bp(f.view(), nothing, 0), 0u);
  f.ops = OpsId::vaddr;
  EXPECT_EQ(node_eligible_mem_bp(f.view(), hot, 0), 0u);
}

TEST_F(NodeEligible, RegionsInAddressUnits) {
  // addr_unit 4: core address 0x1000 is physical 0x4000.
  f.addr_unit = 4;
  f.targets[0].regions[0].ar = {0, 0x3000};       // phys [0, 0xc000): node 0
  f.targets[0].regions[1].ar = {0x3000, 0x8000};  // phys [0xc000, 0x20000): node 1
  f.targets[0].regions[1].nr_accesses_bp = 100000;
  EXPECT_EQ(node_eligible_mem_bp(f.view(), hot, 0), 3750u);
}

TEST_F(NodeEligible, LargeFolioCountedByOverlap) {
  f.machine.place(Space::phys(), 0x200000, 0x400000, FakeFolio{.size = 2u << 20, .node = 1});
  f.targets[0].regions.clear();
  f.add_region(0, 0x300000, 0x340000, 10);
  EXPECT_EQ(node_eligible_mem_bp(f.view(), hot, 1), 10000u);
  LiveGoal g = live_goal(GoalMetric::node_eligible_mem_bp, 1);
  refresh_goal(g, f.view(), hot);
  EXPECT_EQ(g.goal.current_value, 10000u);
}

}  // namespace
}  // namespace damon
