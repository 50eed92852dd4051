// The daemon's log: what main hands to every part of damonfs that reports
// something.
#include "fs/control/daemon_log.h"

#include <gtest/gtest.h>

namespace damonfs::fs {
namespace {

// On stderr (the terminal until the daemon detaches) each line reads as the
// daemon's other messages: "damonfs: " and the line. (Its syslog copy is
// not readable from here.)
TEST(DaemonLog, WritesEachLineToStderrAsTheDaemons) {
  DaemonLog log;
  testing::internal::CaptureStderr();
  log.error("mount point /nowhere: No such file or directory");
  log.info("--machine host: sampling accesses with clear_refs (per mapping)");
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "damonfs: mount point /nowhere: No such file or directory\n"
            "damonfs: --machine host: sampling accesses with clear_refs (per mapping)\n");
}

}  // namespace
}  // namespace damonfs::fs
