// Where the host machine reports what it could not do.
//
// A failed action or sample on a real process is never silently ignored:
// the call returns nothing done (0 bytes, not accessed), and the reason is
// logged once per process and operation, so a policy that keeps retrying
// does not flood the log (the daemon's, which main hands to the machine).
//
// Thread-safe: every kdamond of the daemon shares one HostLog.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "engine/log.h"

namespace damon::host {

class HostLog {
 public:
  // `log` must outlive this object.
  explicit HostLog(Log& log) : log_(log) {}

  // Logs the warning "pid PID: WHAT: <errno text>[ (HINT)]" the first time
  // this (pid, what) pair fails; later failures of the same pair are
  // dropped.
  void failure(int pid, const std::string& what, int err, const std::string& hint = {});

 private:
  std::mutex mu_;
  Log& log_;
  std::set<std::pair<int, std::string>> reported_;
};

// "needs <what>" when `err` says permission was refused, else "".
std::string permission_hint(int err, const std::string& what);

// What the process reading another process's /proc files needs.
inline constexpr const char* kProcAccess = "root, or the process's user with ptrace access";

}  // namespace damon::host
