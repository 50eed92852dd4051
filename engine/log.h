// Where the engine and the daemon report what they could not do (and the
// few facts a person starting the daemon wants to see).
//
// Nothing here writes anywhere by itself: main() makes the daemon's one log
// (fs/control/daemon_log.h: syslog, and stderr while a terminal may read
// it) and hands it to every part that reports something, the way a Clock
// is handed in. Tests hand in a log that records the lines instead
// (tests/support/recording_log.h).
#pragma once

#include <string_view>

namespace damon {

class Log {
 public:
  // The syslog priorities the daemon uses.
  enum class Level { error, warning, info };

  virtual ~Log() = default;
  // One line: no trailing newline, no "damonfs: " prefix (the log adds what
  // its destination needs). Called from any thread: kdamond tasks, the
  // FUSE loop, main.
  virtual void write(Level level, std::string_view line) = 0;

  void error(std::string_view line) { write(Level::error, line); }
  void warning(std::string_view line) { write(Level::warning, line); }
  void info(std::string_view line) { write(Level::info, line); }
};

}  // namespace damon
