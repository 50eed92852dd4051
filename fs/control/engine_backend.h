// The state-commit layer: `state` writes start, change, inspect and stop real
// kdamonds (engine/kdamond) built from the staged sysfs tree, with the kernel's
// errno (docs/state.md).
//
// Threading: every KdamondBackend call comes from the tree's thread (the
// FUSE loop). Kdamond threads never touch the tree: what they produce is
// posted back to that thread with `post`, and only then written into the
// staged directories or handed to a command's `done`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "engine/clock.h"
#include "engine/kdamond/context_work.h"
#include "engine/kdamond/kdamond.h"
#include "engine/kdamond/parked_task.h"
#include "engine/kdamond/timeline.h"
#include "engine/log.h"
#include "engine/machine/machine.h"
#include "fs/tree/abi_profile.h"
#include "fs/tree/kdamond_backend.h"

namespace damonfs::fs {

class EngineBackend final : public KdamondBackend {
 public:
  // Runs `fn` on the tree's thread, later.
  using Post = std::function<void(std::function<void()> fn)>;

  // `clock` and `log` must outlive the backend. `log` gets why a kdamond
  // could not start, and what its tasks report. `seed` seeds each
  // kdamond's region sampling (mixed with how many were started before).
  EngineBackend(const damon::Clock& clock, damon::Log& log, Post post, uint64_t seed);
  // Stops every kdamond (waits for their threads).
  ~EngineBackend() override;

  // KdamondBackend.
  void attach(StagedKdamonds& staged) override;
  bool running(KdamondHandle kdamond) const override;
  int pid(KdamondHandle kdamond) const override;
  bool any_running() const override;
  void command(StagedKdamond& kdamond, StateCommand cmd, CommandDone done) override;
  void kdamonds_rebuilt() override;
  void refresh_ms_changed(KdamondHandle kdamond, uint32_t refresh_ms) override;

  // The machine kdamonds monitor; set before the first command and
  // outliving the backend. (It is made after the daemonizing fork, since
  // the simulated machine's stub processes must be children of the daemon.)
  void set_machine(damon::Machine& machine) { machine_ = &machine; }
  // Whose errno and command semantics to follow (default: latest).
  void set_abi(const AbiProfile& abi) { abi_ = &abi; }
  // Where kdamonds started from now on emit DAMON's tracepoints; it must
  // outlive the backend.
  void set_trace_sink(damon::TraceSink& sink) { trace_ = &sink; }

  // Simulated time (--speed, --clock manual): from now on kdamonds run on
  // `timeline`, which is their clock too. Set before the first command and
  // outliving the backend (it is made after the daemonizing fork, since its
  // pacer is a thread).
  void set_timeline(damon::Timeline& timeline) {
    timeline_ = &timeline;
    clock_ = &timeline;
  }

  // Stops every kdamond and waits for their threads (daemon shutdown).
  void stop_all();

 private:
  enum class Phase { never_started, running, stopped };
  // Before kDamonCallCommands: a commit that fails ends the kdamond, and
  // its write succeeds once the kdamond is gone.
  void fail_commit_by_stopping(KdamondHandle handle, CommandDone done);
  struct Slot;

  Slot& slot(KdamondHandle handle);
  const Slot* find_slot(KdamondHandle handle) const;

  void turn_on(StagedKdamond& kdamond, CommandDone done);
  void turn_off(Slot& slot, CommandDone done);
  void commit(StagedKdamond& kdamond, bool goals_only, CommandDone done);
  void update_stats(StagedKdamond& kdamond, CommandDone done);
  void update_effective_quotas(StagedKdamond& kdamond, CommandDone done);
  void update_tuned_intervals(StagedKdamond& kdamond, CommandDone done);
  void update_tried(StagedKdamond& kdamond, bool with_regions, CommandDone done);
  void clear_tried(StagedKdamond& kdamond);

  // Runs `read` on the kdamond thread and `write` with its result on the
  // tree's thread, against the kdamond's staged directory if it still exists.
  template <class T>
  void snapshot(KdamondHandle handle, std::function<T(damon::ContextWork&)> read,
                std::function<void(StagedKdamond&, T)> write, CommandDone done);

  void arm_refresh(KdamondHandle handle, Slot& slot, uint32_t refresh_ms);
  void refresh(KdamondHandle handle);
  void on_exit(KdamondHandle handle);
  void make_spare_task();
  // Posts `fn` to the tree's thread, dropped if this backend is gone by then.
  void post(std::function<void()> fn);

  damon::Machine* machine_ = nullptr;
  const AbiProfile* abi_ = &AbiProfile::latest();
  damon::TraceSink* trace_ = nullptr;
  const damon::Clock* clock_;
  damon::Log& log_;
  damon::Timeline* timeline_ = nullptr;
  Post post_;
  uint64_t seed_;
  uint64_t nr_started_ = 0;
  StagedKdamonds* staged_ = nullptr;
  std::map<KdamondHandle, std::unique_ptr<Slot>> slots_;
  // The next kdamond's task, made ahead so that `on` only wakes it. Made
  // once kdamonds exist (after the daemonizing fork) and after each `on`.
  std::unique_ptr<damon::ParkedTask> spare_task_;
  // Shared with posted closures: false once this backend is destroyed.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace damonfs::fs
