// Helpers shared by the scenario parsers (not part of the public API).
#pragma once

#include <cstdint>
#include <string>

namespace damon::sim {

// "file:line: message", the form every parse error takes.
std::string located(const std::string& file, int line, const std::string& message);
// Scenario and masim files are written by hand; anything larger is a
// mistake (a wrong path, a device) and would only cost memory to parse.
inline constexpr uint64_t kMaxScenarioBytes = uint64_t{1} << 20;
// The whole file; ScenarioError when it cannot be read, is not a regular
// file or holds more than kMaxScenarioBytes.
std::string read_text_file(const std::string& path);
// "dir/hot10.masim" -> "hot10".
std::string file_stem(const std::string& path);

}  // namespace damon::sim
