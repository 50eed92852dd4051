#include "engine/machine/host/host_log.h"

#include <cerrno>
#include <cstring>

namespace damon::host {

void HostLog::failure(int pid, const std::string& what, int err, const std::string& hint) {
  std::lock_guard lock(mu_);
  if (!reported_.emplace(pid, what).second) return;
  std::string text = "pid " + std::to_string(pid) + ": " + what + ": " + std::strerror(err);
  if (!hint.empty()) text += " (" + hint + ")";
  log_.warning(text);
}

std::string permission_hint(int err, const std::string& what) {
  if (err != EPERM && err != EACCES) return {};
  return "needs " + what;
}

}  // namespace damon::host
