#include "fs/control/daemon_log.h"

#include <syslog.h>

#include <cstdio>

namespace damonfs::fs {

void DaemonLog::write(Level level, std::string_view line) {
  const int priority = level == Level::error     ? LOG_ERR
                       : level == Level::warning ? LOG_WARNING
                                                 : LOG_INFO;
  const int len = static_cast<int>(line.size());
  ::syslog(LOG_DAEMON | priority, "damonfs: %.*s", len, line.data());
  std::fprintf(stderr, "damonfs: %.*s\n", len, line.data());
}

}  // namespace damonfs::fs
