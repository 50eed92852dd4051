// Helpers shared by the scenario parsers (not part of the public API).
#pragma once

#include <cstdint>
#include <string>

#include "engine/machine/sim/scenario.h"

namespace damon::sim {

// "file:line: message", the form every parse error takes.
std::string located(const std::string& file, int line, const std::string& message);
// Scenario and masim files are written by hand; anything larger is a
// mistake (a wrong path, a device) and would only cost memory to parse.
inline constexpr uint64_t kMaxScenarioBytes = uint64_t{1} << 20;
// The whole file; ScenarioError when it cannot be read, is not a regular
// file or holds more than `limit` bytes.
std::string read_text_file(const std::string& path, uint64_t limit = kMaxScenarioBytes);
// validate(), its error prefixed with "file: ".
void validate_file(const Scenario& scenario, const std::string& file);
// "dir/hot10.masim" -> "hot10".
std::string file_stem(const std::string& path);

}  // namespace damon::sim
