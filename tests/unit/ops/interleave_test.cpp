#include "engine/ops/interleave.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace damon {
namespace {

Vma anon_vma(uint64_t start, uint64_t end, uint64_t pgoff) {
  Vma v;
  v.start = start;
  v.end = end;
  v.pgoff = pgoff;
  return v;
}

// Node of every page of a 1 GiB anonymous mapping, by the dests' weights.
std::map<uint32_t, uint64_t> pages_per_node(const std::vector<Dest>& dests) {
  const Vma vma = anon_vma(0x7f0000000000, 0x7f0040000000, 0x7f0000000);
  std::map<uint32_t, uint64_t> count;
  for (uint64_t a = vma.start; a < vma.end; a += kPageSize) {
    const std::optional<size_t> i = interleave_pick(dests, interleave_index(vma, a, kPageSize));
    if (i) ++count[dests[*i].node_id];
  }
  return count;
}

TEST(Interleave, EqualWeightsSplitEvenly) {
  const auto count = pages_per_node({{0, 1}, {1, 1}});
  EXPECT_EQ(count.at(0), count.at(1));
  EXPECT_EQ(count.at(0) + count.at(1), (1u << 30) / kPageSize);
}

TEST(Interleave, ThreeToOne) {
  const auto count = pages_per_node({{0, 3}, {1, 1}});
  EXPECT_EQ(count.at(0), 3 * count.at(1));
}

TEST(Interleave, RunsFollowTheWeightsInOrder) {
  const std::vector<Dest> dests{{4, 2}, {7, 1}};
  std::vector<uint32_t> seq;
  for (uint64_t i = 0; i < 6; ++i) seq.push_back(dests[*interleave_pick(dests, i)].node_id);
  EXPECT_EQ(seq, (std::vector<uint32_t>{4, 4, 7, 4, 4, 7}));
}

TEST(Interleave, ZeroWeightsMigrateNothing) {
  EXPECT_EQ(interleave_pick(std::vector<Dest>{{0, 0}, {1, 0}}, 5), std::nullopt);
  EXPECT_EQ(interleave_pick(std::vector<Dest>{}, 5), std::nullopt);
  // A zero-weight dest is never chosen.
  const std::vector<Dest> dests{{0, 0}, {1, 1}};
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(*interleave_pick(dests, i), 1u);
}

TEST(Interleave, SameFolioAlwaysSameNode) {
  const std::vector<Dest> dests{{0, 3}, {1, 1}};
  const Vma vma = anon_vma(0x400000, 0x800000, 0x400);
  for (uint64_t a = vma.start; a < vma.end; a += 13 * kPageSize) {
    const auto first = interleave_pick(dests, interleave_index(vma, a, kPageSize));
    for (int pass = 0; pass < 3; ++pass)
      EXPECT_EQ(interleave_pick(dests, interleave_index(vma, a, kPageSize)), first);
  }
}

TEST(Interleave, IndexCountsFoliosOfTheirOrder) {
  const Vma vma = anon_vma(0x200000, 0x800000, 0x200);
  // 4 KiB: page offset in the mapping plus the VMA's page offset.
  EXPECT_EQ(interleave_index(vma, 0x203000, kPageSize), 0x200u + 3);
  // 2 MiB folios (order 9): both terms shifted by the order.
  EXPECT_EQ(interleave_index(vma, 0x400000, 2u << 20), (0x200u >> 9) + 1);
}

}  // namespace
}  // namespace damon
