// Shared setup for the host machine's tests: the workload process, and
// the log that records what the machine reported (RecordingLog).
#pragma once

#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/machine/host/host_machine.h"
#include "tests/host/workload_process.h"
#include "tests/support/recording_log.h"

namespace damon::host::test {

inline std::unique_ptr<WorkloadProcess> start_workload(WorkloadSpec spec = {}) {
  static int n = 0;
  const std::string file = std::string(DAMONFS_HOST_SCRATCH) + "/host_workload." +
                           std::to_string(::getpid()) + "." + std::to_string(n++);
  return std::make_unique<WorkloadProcess>(DAMONFS_HOST_WORKLOAD, file, spec);
}

inline void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Page addresses spread over `r`, `n` of them.
inline std::vector<uint64_t> spread(AddrRange r, size_t n) {
  std::vector<uint64_t> out;
  const uint64_t step = r.size() / n / kPageSize * kPageSize;
  for (size_t i = 0; i < n; ++i) out.push_back(r.start + i * step);
  return out;
}

}  // namespace damon::host::test
