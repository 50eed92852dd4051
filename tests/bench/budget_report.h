// What the engine benchmarks share: repetitions judged by their fastest run,
// a reporter that keeps those for the budget checks, and the verdict line.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace damon::bench {

// The budgets compare the fastest of several repetitions: other work on the
// machine only ever adds time, so the minimum is the steadiest estimate.
inline double fastest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

// Ten short repetitions judged by the fastest: more windows in which the
// machine was quiet than a few long ones give.
inline void min_of_ten(benchmark::internal::Benchmark* b) {
  b->Repetitions(10)->MinTime(0.1)->ComputeStatistics("min", fastest)->ReportAggregatesOnly(true);
}

// Keeps what the budgets need from the runs while printing them as usual:
// the fastest repetition's CPU and wall time (in the benchmark's unit) and each
// iteration run's counters, by "function/args".
class BudgetReporter : public benchmark::ConsoleReporter {
 public:
  // Plain tables: the output ends up in logs.
  BudgetReporter() : ConsoleReporter(OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const std::string name = r.run_name.function_name + "/" + r.run_name.args;
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "min") {
        min_cpu_us[name] = r.GetAdjustedCPUTime();
        min_real_us[name] = r.GetAdjustedRealTime();
      }
      if (r.run_type == Run::RT_Iteration)
        for (const auto& [counter, value] : r.counters) counters[name + ":" + counter] = value.value;
    }
  }
  // The fastest repetition of `name`, or -1 when it did not run.
  double min_cpu(const std::string& name) const {
    auto it = min_cpu_us.find(name);
    return it == min_cpu_us.end() ? -1.0 : it->second;
  }
  // The same in wall time.
  double min_real(const std::string& name) const {
    auto it = min_real_us.find(name);
    return it == min_real_us.end() ? -1.0 : it->second;
  }
  std::map<std::string, double> min_cpu_us, min_real_us;
  std::map<std::string, double> counters;
};

// Prints one budget line; returns `ok`.
inline bool check(const char* what, double value, const char* op, double budget, bool ok) {
  std::printf("%-58s %10.3f  (budget %s %g) %s\n", what, value, op, budget, ok ? "ok" : "MISSED");
  return ok;
}

}  // namespace damon::bench
