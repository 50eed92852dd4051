// damonfs's command line: damonfs [options] MOUNTPOINT.
#pragma once

#include <sys/types.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace damonfs::fs {

struct CommandLine {
  std::string mountpoint;
  bool foreground = false;  // -f
  bool debug = false;       // -d: libfuse request trace; implies -f
  // Each -o argument as given (comma-separated mount options).
  std::vector<std::string> mount_options;
  std::string abi = "latest";
  // Owner reported for every file and directory; the mounting user by default.
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  // Where the engine gets memory facts: "sim" or "host". Empty: no engine.
  std::string machine;
  std::string scenario;  // scenario file for --machine sim
  // Simulated time (--machine sim only): --speed times the wall clock, or
  // moved by writes to damonfs/clock (--clock manual), where a --speed
  // caps how fast an advance runs. speed 1 on the auto clock is real time.
  // --clock from-on: paced like auto, but time stands still until the first
  // kdamond turns on.
  double speed = 1;
  bool speed_given = false;
  bool manual_clock = false;
  bool clock_from_on = false;
  // Whether the mount runs on simulated time rather than the wall clock.
  bool simulated_time() const { return manual_clock || clock_from_on || speed != 1; }
  bool help = false;
  bool version = false;
};

// Parses the arguments after the program name. Returns an error message for
// bad usage; `out` is complete only when nothing is returned.
std::optional<std::string> parse_command_line(std::span<const char* const> args, CommandLine& out);

std::string usage_text(std::string_view program);

}  // namespace damonfs::fs
