// When each page of a process last had its accessed bit cleared.
#include "engine/machine/sim/clear_times.h"

namespace damon::sim {

uint64_t ClearTimes::stored_since(uint64_t page, uint64_t never) const {
  const auto it = blocks_.find(page / kBlockPages);
  if (it == blocks_.end()) return never;
  const uint64_t t = (*it->second)[page % kBlockPages];
  return t ? t - 1 : never;
}

void ClearTimes::clear(uint64_t page, uint64_t now) {
  std::unique_ptr<Block>& block = blocks_[page / kBlockPages];
  if (!block) block = std::make_unique<Block>();
  (*block)[page % kBlockPages] = now + 1;  // 0 stays 'never'
}

}  // namespace damon::sim
