// damonfs-truth: the ground truth of a scenario as a damo record file
// (engine/machine/sim/truth_record.h; damonfs-truth(1)).
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/machine/sim/truth_record.h"
#include "engine/machine/sim/units.h"

namespace {

constexpr const char* kUsage =
    "usage: damonfs-truth [--duration TIME] [--sample TIME] [--aggr TIME] [--regions all|scenario]\n"
    "                     [--format json|json_compressed] SCENARIO OUTPUT\n"
    "Writes what SCENARIO's processes access over TIME (default 60s) as a damo record:\n"
    "one snapshot per aggregation interval (--aggr, default 100ms), one region per mapping,\n"
    "nr_accesses out of aggr/sample (--sample, default 5ms). TIME: 10s, 250ms, 1.5min...\n"
    "Default format json_compressed (damo's). --regions scenario: the scenario's regions only.\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "damonfs-truth: %s\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace damon::sim;
  TruthExportOptions options;
  bool compressed = true;
  std::string positional[2];
  int npos = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg.starts_with("--")) {
      if (i + 1 == argc) return usage_error(std::string(arg) + " needs a value");
      const std::string_view value = argv[++i];
      if (arg == "--duration" || arg == "--sample" || arg == "--aggr") {
        const auto us = parse_duration_us(value);
        if (!us || *us == 0) return usage_error(std::string(arg) + ": bad time '" + std::string(value) + "'");
        (arg == "--duration" ? options.duration_us : arg == "--sample" ? options.sample_us : options.aggr_us) = *us;
      } else if (arg == "--format" && (value == "json" || value == "json_compressed")) {
        compressed = value == "json_compressed";
      } else if (arg == "--regions" && (value == "all" || value == "scenario")) {
        options.scenario_regions_only = value == "scenario";
      } else {
        return usage_error("bad option " + std::string(arg) + " " + std::string(value));
      }
      continue;
    }
    if (npos == 2) return usage_error("too many arguments");
    positional[npos++] = std::string(arg);
  }
  if (npos != 2) return usage_error("SCENARIO and OUTPUT are needed");
  try {
    write_damo_records(truth_records(load_scenario(positional[0]), options), positional[1], compressed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "damonfs-truth: %s\n", e.what());
    return 1;
  }
  return 0;
}
