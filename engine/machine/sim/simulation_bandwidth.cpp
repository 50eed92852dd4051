// The bandwidth model's hook into the passing of time: each step, the
// processes' demand per node (from their access schedules and where their
// pages are) and the migrations' copies go to BandwidthModel::solve(), and
// what it gives (achieved accesses, loaded latencies) is integrated.
#include <algorithm>

#include "engine/machine/sim/simulation.h"

namespace damon::sim {

void Simulation::add_copy(size_t from, size_t to, uint64_t bytes) {
  if (!bandwidth_) return;
  copy_backlog_[from] += static_cast<double>(bytes);
  copy_backlog_[to] += static_cast<double>(bytes);
}

void Simulation::integrate_loaded(uint64_t now) {
  const size_t n = nodes().size();
  std::vector<BandwidthModel::Demand> demands;
  std::vector<SimProcess*> who;
  std::vector<double> seconds;
  for (SimProcess& p : procs_) {
    if (!p.alive) continue;
    const auto end = p.schedule.end_us();
    const uint64_t to = end ? std::min(*end, now) : now;
    if (to <= now_) continue;
    // What the schedule asks for in this step, per node: accesses spread
    // evenly over a region's pages; those on paged-out pages go to the
    // preferred node (as in integrate()).
    BandwidthModel::Demand d;
    d.share.assign(n, 0);
    double total = 0;
    for (size_t r = 0; r < p.regions.size(); ++r) {
      const double a = p.schedule.accesses(r, to) - p.schedule.accesses(r, now_);
      if (a <= 0) continue;
      const SimRegion& reg = p.regions[r];
      const double per_page = a / static_cast<double>(reg.pages);
      uint64_t resident = 0;
      for (size_t i = 0; i < n; ++i) {
        d.share[i] += per_page * static_cast<double>(reg.resident[i]);
        resident += reg.resident[i];
      }
      d.share[reg.node] += per_page * static_cast<double>(reg.pages - resident);
      total += a;
    }
    if (total <= 0) continue;
    for (double& s : d.share) s /= total;
    const double dt = static_cast<double>(to - now_) * 1e-6;
    // Little's law: the accesses in flight that make the schedule's rate
    // at the home node's idle latency.
    d.in_flight = total / dt * static_cast<double>(nodes()[p.home].latency_ns) * 1e-9;
    demands.push_back(std::move(d));
    who.push_back(&p);
    seconds.push_back(dt);
  }

  // Migrations copy at one thread's rate, and never take more than most of
  // a node's bandwidth (the copy slows down with everything else).
  const double dt = static_cast<double>(now - now_) * 1e-6;
  std::vector<double> background(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (copy_backlog_[i] <= 0) continue;
    double rate = std::min(copy_backlog_[i] / dt, machine_.migration_bandwidth);
    if (nodes()[i].bandwidth > 0) rate = std::min(rate, 0.9 * nodes()[i].bandwidth);
    background[i] = rate;
    copy_backlog_[i] = std::max(0.0, copy_backlog_[i] - rate * dt);
  }

  const BandwidthModel::Point& pt = bandwidth_->solve_cached(demands, background);
  utilization_ = pt.utilization;
  for (size_t k = 0; k < who.size(); ++k) {
    SimProcess& p = *who[k];
    // Threads stalled by NUMA balancing make no accesses meanwhile.
    const double thread_ns = seconds[k] * 1e9 * p.threads;
    const double stalled = std::min(p.stall_due_ns, thread_ns);
    p.stall_due_ns -= stalled;
    const double done = pt.rate[k] * seconds[k] * (1 - stalled / thread_ns);
    double latency = 0;
    for (size_t i = 0; i < n; ++i) {
      latency += demands[k].share[i] * pt.latency_ns[i];
      p.node_bytes[i] += done * demands[k].share[i] * kAccessBytes;
    }
    p.accesses += done;
    p.latency_ns += done * latency;
  }
}

}  // namespace damon::sim
