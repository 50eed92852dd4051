// Memory bandwidth and loaded latency: what a placement costs processes
// that compete for the nodes' bandwidth.
//
// Each access moves one cache line (kAccessBytes). A node serves at most
// its bandwidth; as its traffic nears that, every access to it waits
// longer (loaded_latency()). A process is a closed loop (Little's law):
// it keeps a fixed number of accesses in flight, the number that gives
// the scenario's access rates at its home node's idle latency, so when
// its accesses get slower it makes fewer of them. solve() finds the
// operating point of all processes together: per node a latency, per
// process the access rate it achieves. docs/simulator-performance-model.md
// has the derivation, the sources and the sensitivity of the results.
#pragma once

#include <vector>

namespace damon::sim {

// One access reads or writes one 64-byte cache line.
inline constexpr double kAccessBytes = 64;

// Latency of an access to a node at `utilization` (traffic / bandwidth) of
// its bandwidth, from its idle latency: an M/M/1-like queueing term,
// idle * (1 + kQueueScale * u / (1 - u)), unbounded as u reaches 1.
// kQueueScale = 1/9 puts twice the idle latency at 90 % of the bandwidth,
// the middle of the range (80-100 %) where B. Jacob (The Memory System,
// 2009) places the steep part of the latency-bandwidth curve, with
// latency "as much as twice the idle latency or more"; it keeps latency
// within 7 % of idle up to 40 %, his constant region.
inline constexpr double kQueueScale = 1.0 / 9.0;
double loaded_latency_ns(double idle_ns, double utilization, double queue_scale = kQueueScale);

class BandwidthModel {
 public:
  struct Node {
    double idle_ns = 0;
    double bytes_per_sec = 0;  // 0: unlimited (the latency never rises)
  };
  // One process over a step of time.
  struct Demand {
    double in_flight = 0;        // accesses kept outstanding
    std::vector<double> share;   // fraction of its accesses on each node (sums to 1)
  };
  struct Point {
    std::vector<double> latency_ns;   // per node
    std::vector<double> utilization;  // per node
    std::vector<double> rate;         // per process, accesses per second
  };

  explicit BandwidthModel(std::vector<Node> nodes, double queue_scale = kQueueScale)
      : nodes_(std::move(nodes)), queue_scale_(queue_scale) {}

  // `background` is traffic on each node that is not the processes' own
  // accesses (page migrations), bytes per second.
  Point solve(const std::vector<Demand>& demands, const std::vector<double>& background) const;
  // solve(), or the last answer when the inputs are those of the last call
  // (to a relative 1e-9): in a steady phase every step asks the same.
  const Point& solve_cached(const std::vector<Demand>& demands, const std::vector<double>& background);

  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  std::vector<Node> nodes_;
  double queue_scale_;
  std::vector<Demand> last_demands_;
  std::vector<double> last_background_;
  Point last_;
  bool solved_ = false;
};

}  // namespace damon::sim
