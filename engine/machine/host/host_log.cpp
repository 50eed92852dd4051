#include "engine/machine/host/host_log.h"

#include <syslog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace damon::host {

LogSink default_log_sink() {
  return [](const std::string& line) {
    ::syslog(LOG_DAEMON | LOG_WARNING, "damonfs: %s", line.c_str());
    std::fprintf(stderr, "damonfs: %s\n", line.c_str());
  };
}

void HostLog::failure(int pid, const std::string& what, int err, const std::string& hint) {
  std::lock_guard lock(mu_);
  if (!reported_.emplace(pid, what).second) return;
  std::string text = "pid " + std::to_string(pid) + ": " + what + ": " + std::strerror(err);
  if (!hint.empty()) text += " (" + hint + ")";
  sink_(text);
}

void HostLog::line(const std::string& text) {
  std::lock_guard lock(mu_);
  sink_(text);
}

std::string permission_hint(int err, const std::string& what) {
  if (err != EPERM && err != EACCES) return {};
  return "needs " + what;
}

}  // namespace damon::host
