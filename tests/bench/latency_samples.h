// Latency samples and their percentiles.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace damonfs::bench {

class Samples {
 public:
  void add(std::chrono::nanoseconds d) { ns_.push_back(d.count()); }
  bool empty() const { return ns_.empty(); }
  size_t size() const { return ns_.size(); }

  // The q-quantile (0 < q < 1) in microseconds, nearest rank.
  double quantile_us(double q) {
    if (ns_.empty()) return 0;
    auto at = ns_.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(ns_.size() - 1));
    std::nth_element(ns_.begin(), at, ns_.end());
    return static_cast<double>(*at) / 1000.0;
  }

 private:
  std::vector<int64_t> ns_;
};

}  // namespace damonfs::bench
