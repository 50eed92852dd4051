// A test backend for the sysfs tree alone (fs tests, the fuzzer): no
// kdamond ever runs. It answers like a kernel in which nothing was ever
// started and in which no operations set is registered, so `on` fails with
// EINVAL once the staged context builds (and with the build's errno when it
// does not).
#pragma once

#include "fs/tree/kdamond_backend.h"

namespace damonfs::fs {

class NoEngineBackend final : public KdamondBackend {
 public:
  void attach(StagedKdamonds&) override {}
  bool running(KdamondHandle) const override { return false; }
  int pid(KdamondHandle) const override { return -1; }
  bool any_running() const override { return false; }
  // The "never started" column of the command table in docs/state.md.
  void command(StagedKdamond& kdamond, StateCommand cmd, CommandDone done) override;
  void refresh_ms_changed(KdamondHandle, uint32_t) override {}
  void kdamonds_rebuilt() override {}
};

}  // namespace damonfs::fs
