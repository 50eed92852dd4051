// The machine a mount serves, as the command line chose it.
#include "fs/control/machine_factory.h"

#include <gtest/gtest.h>

#include "tests/support/recording_log.h"

namespace damonfs::fs {
namespace {

// --machine host says which access sampler it chose in the log it is
// given; the default mount probes the kernel quietly.
TEST(MachinePlan, ReportsTheHostSamplerToTheLogItIsGiven) {
  damon::test::RecordingLog quiet;
  MachinePlan default_plan("", "", quiet);
  EXPECT_TRUE(quiet.lines().empty());

  damon::test::RecordingLog log;
  try {
    MachinePlan plan("host", "", log);
  } catch (const MachineError& e) {
    GTEST_SKIP() << "no access sampler on this kernel: " << e.what();
  }
  ASSERT_EQ(log.lines().size(), 1u);
  EXPECT_EQ(log.count("--machine host: sampling accesses with "), 1u) << log.lines()[0];
}

}  // namespace
}  // namespace damonfs::fs
