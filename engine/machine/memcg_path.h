// How a memcg path written to sysfs names a memcg of the Machine.
#pragma once

#include <string>

namespace damon {

// The path without the one trailing newline `echo` leaves (the kernel
// ignores it when resolving the path).
inline std::string memcg_path_key(const std::string& path) {
  if (!path.empty() && path.back() == '\n') return path.substr(0, path.size() - 1);
  return path;
}

}  // namespace damon
