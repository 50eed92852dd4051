// Helpers shared by the scenario parsers (not part of the public API).
#pragma once

#include <string>

namespace damon::sim {

// "file:line: message", the form every parse error takes.
std::string located(const std::string& file, int line, const std::string& message);
// The whole file; ScenarioError when it cannot be read.
std::string read_text_file(const std::string& path);
// "dir/hot10.masim" -> "hot10".
std::string file_stem(const std::string& path);

}  // namespace damon::sim
