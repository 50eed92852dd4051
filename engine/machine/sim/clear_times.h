// When each page of a process last had its accessed bit cleared.
//
// DAMOS's young filters clear and re-check every folio of the regions they
// walk, so a gigabyte walked is a quarter of a million clears that must all
// be remembered: a forgotten clear makes the page look accessed at any
// time since the process started. Times are kept per page in fixed blocks
// allocated on the first clear inside them, so a query is one hash lookup
// and memory grows only with the pages ever cleared (8 bytes per page, at
// most 0.2% of the simulated memory), never with the address space.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace damon::sim {

class ClearTimes {
 public:
  // When `page` was last cleared, or `never` if it never was. Asked for
  // every sampled page, mostly of processes no DAMOS walk ever cleared.
  uint64_t since(uint64_t page, uint64_t never) const {
    return blocks_.empty() ? never : stored_since(page, never);
  }
  void clear(uint64_t page, uint64_t now);
  void forget() { blocks_.clear(); }

 private:
  // 64 pages: a DAMOS walk fills whole blocks, and a folio checked on its
  // own costs 512 bytes rather than a huge page's worth.
  static constexpr uint64_t kBlockPages = 64;
  using Block = std::array<uint64_t, kBlockPages>;  // time + 1, 0: never cleared
  uint64_t stored_since(uint64_t page, uint64_t never) const;
  std::unordered_map<uint64_t, std::unique_ptr<Block>> blocks_;
};

}  // namespace damon::sim
