// Where the host machine reports what it could not do.
//
// A failed action or sample on a real process is never silently ignored:
// the call returns nothing done (0 bytes, not accessed), and the reason is
// logged once per process and operation, so a policy that keeps retrying
// does not flood the log. The default sink is syslog (the daemon has no
// terminal once detached) plus stderr.
//
// Thread-safe: every kdamond of the daemon shares one log.
#pragma once

#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace damon::host {

using LogSink = std::function<void(const std::string& line)>;

// syslog(LOG_WARNING) and stderr, each line prefixed "damonfs: ".
LogSink default_log_sink();

class HostLog {
 public:
  explicit HostLog(LogSink sink) : sink_(std::move(sink)) {}

  // Logs "pid PID: WHAT: <errno text>[ (HINT)]" the first time this
  // (pid, what) pair fails; later failures of the same pair are dropped.
  void failure(int pid, const std::string& what, int err, const std::string& hint = {});
  // Logs a line unconditionally.
  void line(const std::string& text);

 private:
  std::mutex mu_;
  LogSink sink_;
  std::set<std::pair<int, std::string>> reported_;
};

// "needs <what>" when `err` says permission was refused, else "".
std::string permission_hint(int err, const std::string& what);

// What the process reading another process's /proc files needs.
inline constexpr const char* kProcAccess = "root, or the process's user with ptrace access";

}  // namespace damon::host
