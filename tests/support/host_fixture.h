// Shared setup for the host machine's tests: the workload process and a
// log that records what the machine reported.
#pragma once

#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/machine/host/host_machine.h"
#include "tests/host/workload_process.h"

namespace damon::host::test {

// Lines the machine logged.
class CapturedLog {
 public:
  LogSink sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mu_);
      lines_.push_back(line);
    };
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  // Lines containing `text`.
  size_t count(const std::string& text) const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const std::string& l : lines_) n += l.find(text) != std::string::npos;
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

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
