#include "engine/damos/validate_schemes.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "tests/support/folio_machine.h"

namespace damon {
namespace {

SchemeParams with_filter(FilterType type) {
  SchemeParams s;
  s.filters.emplace_back();
  s.filters.back().type = type;
  return s;
}

class ValidateSchemes : public ::testing::Test {
 protected:
  void SetUp() override {
    machine.add_node(0, 1 << 30);
    machine.set_memcg_node_bytes("/workload", 0, 0);
  }
  test::FolioMachine machine;
};

TEST_F(ValidateSchemes, PlainSchemesBuild) {
  EXPECT_EQ(validate_schemes({SchemeParams{}, with_filter(FilterType::anon)}, machine), 0);
}

TEST_F(ValidateSchemes, MemcgFilterNeedsAnExistingMemcg) {
  SchemeParams s = with_filter(FilterType::memcg);
  s.filters[0].memcg_path = "/workload\n";
  EXPECT_EQ(validate_schemes({s}, machine), 0);
  s.filters[0].memcg_path = "/missing\n";
  EXPECT_EQ(validate_schemes({s}, machine), ENOMEM);
  s.filters[0].memcg_path = "";
  EXPECT_EQ(validate_schemes({s}, machine), ENOMEM);
}

TEST_F(ValidateSchemes, AddrAndHugepageRanges) {
  SchemeParams addr = with_filter(FilterType::addr);
  addr.filters[0].addr = {0x2000, 0x2000};
  EXPECT_EQ(validate_schemes({addr}, machine), 0);
  addr.filters[0].addr = {0x2000, 0x1000};
  EXPECT_EQ(validate_schemes({addr}, machine), ENOMEM);
  SchemeParams huge = with_filter(FilterType::hugepage_size);
  huge.filters[0].min_sz = 2 << 20;
  huge.filters[0].max_sz = 4096;
  EXPECT_EQ(validate_schemes({SchemeParams{}, huge}, machine), ENOMEM);
}

TEST_F(ValidateSchemes, MemcgGoalPathMustResolve) {
  SchemeParams s;
  s.quota.goals.emplace_back();
  s.quota.goals[0].metric = GoalMetric::node_memcg_used_bp;
  s.quota.goals[0].target_value = 100;
  s.quota.goals[0].path = "/workload\n";
  EXPECT_EQ(validate_schemes({s}, machine), 0);
  EXPECT_EQ(validate_quota_goals({s}, machine), 0);
  s.quota.goals[0].path = "/gone\n";
  EXPECT_EQ(validate_schemes({s}, machine), ENOMEM);
  EXPECT_EQ(validate_quota_goals({s}, machine), EINVAL);
  // Other metrics ignore the path.
  s.quota.goals[0].metric = GoalMetric::node_mem_used_bp;
  EXPECT_EQ(validate_schemes({s}, machine), 0);
}

}  // namespace
}  // namespace damon
