// The daemon's log: what main() hands to every part of damonfs that
// reports something (engine/log.h).
//
// Each line goes to syslog (LOG_DAEMON), which is where a detached daemon's
// messages can be read, and to stderr, which is the terminal until the
// daemon detaches and /dev/null after (in the foreground it stays the
// terminal). Both copies start with "damonfs: ".
#pragma once

#include <string_view>

#include "engine/log.h"

namespace damonfs::fs {

class DaemonLog final : public damon::Log {
 public:
  void write(Level level, std::string_view line) override;
};

}  // namespace damonfs::fs
