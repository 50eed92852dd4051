// The sampler every kernel with /proc/PID/clear_refs offers: writing "1"
// clears the accessed bits (and PG_referenced) of every page of a process;
// /proc/PID/smaps then reports per mapping how much of it was referenced
// since. An address counts as accessed when its mapping's "Referenced" is
// non-zero: regions inside one mapping cannot be told apart.
//
// Side effects on the monitored process: each sample walks all its page
// tables twice (cost linear in its resident memory), and reclaim loses the
// referenced state of its pages, so they look colder to the kernel's LRU.
#pragma once

#include <map>
#include <mutex>
#include <vector>

#include "engine/machine/host/access_sampler.h"
#include "engine/machine/host/proc_parse.h"

namespace damon::host {

class ReferencedSampler final : public AccessSampler {
 public:
  SamplerKind kind() const override { return SamplerKind::clear_refs; }
  SamplerInfo info() const override;
  int mkold(Space space, std::span<const uint64_t> addrs) override;
  int young(Space space, std::span<const uint64_t> addrs, YoungBits& out) override;
  int test_and_clear_young(Space space, uint64_t addr, bool& young) override;

 private:
  // The smaps read by the last young() of each process, until its next
  // mkold(): the `young` filter asks about single pages right after a
  // sample, and rereading smaps per page would cost a page table walk of
  // the whole process each time.
  std::mutex mu_;
  std::map<int, std::vector<SmapsEntry>> last_smaps_;
};

}  // namespace damon::host
