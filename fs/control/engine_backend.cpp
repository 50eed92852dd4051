#include "fs/control/engine_backend.h"

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>

#include "engine/core/validate.h"
#include "engine/damos/validate_schemes.h"
#include "engine/kdamond/context_work.h"

namespace damonfs::fs {

using damon::ContextParams;
using damon::ContextWork;
using damon::KdamondWork;

namespace {

// A timeline progress hold for one walk, whose end (on the kdamond thread)
// may come before the hold was taken (on ours): then it is never taken.
class ProgressHold {
 public:
  explicit ProgressHold(damon::Timeline* timeline) : timeline_(timeline) {}
  void acquire() {
    std::lock_guard lock(mu_);
    if (!timeline_ || state_ != State::pending) return;
    state_ = State::held;
    timeline_->hold_progress();
  }
  void release() {
    std::lock_guard lock(mu_);
    if (state_ == State::held && timeline_) timeline_->release_progress();
    state_ = State::released;
  }

 private:
  enum class State { pending, held, released };
  std::mutex mu_;
  damon::Timeline* timeline_;
  State state_ = State::pending;
};

}  // namespace

struct EngineBackend::Slot {
  Phase phase = Phase::never_started;
  std::unique_ptr<damon::Kdamond> kdamond;
  std::optional<damon::RepeatHandle> refresh;
  std::vector<CommandDone> off_waiters;
  int tid = -1;
};

EngineBackend::EngineBackend(const damon::Clock& clock, damon::Log& log, Post post,
                             uint64_t seed)
    : clock_(&clock), log_(log), post_(std::move(post)), seed_(seed) {}

EngineBackend::~EngineBackend() {
  *alive_ = false;
  stop_all();
}

void EngineBackend::stop_all() {
  for (auto& [handle, s] : slots_) {
    if (s->kdamond) s->kdamond->stop();
  }
}

void EngineBackend::attach(StagedKdamonds& staged) { staged_ = &staged; }

EngineBackend::Slot& EngineBackend::slot(KdamondHandle handle) {
  auto& s = slots_[handle];
  if (!s) s = std::make_unique<Slot>();
  return *s;
}

const EngineBackend::Slot* EngineBackend::find_slot(KdamondHandle handle) const {
  auto it = slots_.find(handle);
  return it == slots_.end() ? nullptr : it->second.get();
}

bool EngineBackend::running(KdamondHandle kdamond) const {
  const Slot* s = find_slot(kdamond);
  return s && s->phase == Phase::running;
}

int EngineBackend::pid(KdamondHandle kdamond) const {
  const Slot* s = find_slot(kdamond);
  if (!s || s->phase != Phase::running) return -1;
  // Kept from the start: the thread may have begun to exit, but `state`
  // reads on (and `pid` its id) until that exit reaches this thread.
  return s->tid;
}

bool EngineBackend::any_running() const {
  for (const auto& [handle, s] : slots_) {
    if (s->phase == Phase::running) return true;
  }
  return false;
}

void EngineBackend::kdamonds_rebuilt() {
  // Nothing runs (the tree refuses nr_kdamonds while anything does): the
  // stopped kdamonds' contexts are freed here, as the kernel frees them.
  slots_.clear();
  make_spare_task();
}

void EngineBackend::make_spare_task() {
  if (spare_task_) return;
  try {
    spare_task_ = std::make_unique<damon::ParkedTask>(log_);
  } catch (const std::system_error&) {
    // `on` makes its own task then, or fails with EAGAIN as it should.
  }
}

void EngineBackend::post(std::function<void()> fn) {
  post_([alive = std::weak_ptr<bool>(alive_), fn = std::move(fn)] {
    auto a = alive.lock();
    if (a && *a) fn();
  });
}

void EngineBackend::command(StagedKdamond& kdamond, StateCommand cmd, CommandDone done) {
  // 6.18.x stable: every command but `off` needs exactly one context.
  if (cmd != StateCommand::off && kdamond.nr_contexts() != 1) return done(-EINVAL);
  Slot& s = slot(kdamond.handle());
  switch (cmd) {
    case StateCommand::on:
      return turn_on(kdamond, std::move(done));
    case StateCommand::off:
      return turn_off(s, std::move(done));
    case StateCommand::clear_schemes_tried_regions:
      if (!abi_->has(kDamonCallCommands) && s.phase != Phase::running) return done(-EINVAL);
      clear_tried(kdamond);
      return done(0);
    case StateCommand::update_schemes_tried_regions:
    case StateCommand::update_schemes_tried_bytes:
      return update_tried(kdamond, cmd == StateCommand::update_schemes_tried_regions,
                          std::move(done));
    default:
      break;
  }
  // The damon_call-based commands: EINVAL when no context was ever built,
  // ECANCELED when it exists but its kdamond has stopped (the call is
  // queued to a context nobody serves).
  if (s.phase == Phase::never_started) return done(-EINVAL);
  if (s.phase == Phase::stopped) return done(abi_->has(kDamonCallCommands) ? -ECANCELED : -EINVAL);
  switch (cmd) {
    case StateCommand::commit:
      return commit(kdamond, false, std::move(done));
    case StateCommand::commit_schemes_quota_goals:
      return commit(kdamond, true, std::move(done));
    case StateCommand::update_schemes_stats:
      return update_stats(kdamond, std::move(done));
    case StateCommand::update_schemes_effective_quotas:
      return update_effective_quotas(kdamond, std::move(done));
    case StateCommand::update_tuned_intervals:
      return update_tuned_intervals(kdamond, std::move(done));
    default:
      return done(-EINVAL);
  }
}

// Builds and validates engine parameters the way the kernel's context build
// orders its checks: context-level errors (EINVAL) before scheme build
// failures, which the sysfs layer reports as ENOMEM.
static int build_checked(StagedKdamond& kdamond, damon::Machine& machine, damon::Log& log,
                         ContextParams& params) {
  int built = kdamond.build_params(params);
  if (built == -EINVAL) return built;
  if (int err = damon::validate(params, machine)) {
    // An operations set this machine cannot serve (--machine host without
    // idle page tracking: paddr) fails EINVAL like one the kernel never
    // registered; the log says which kernel feature is missing.
    if (!machine.supports(params.ops)) {
      log.error(machine.unsupported_reason(params.ops));
    }
    return -err;
  }
  if (built) return built;
  if (damon::validate_schemes(params.schemes, machine)) return -ENOMEM;
  return 0;
}

// What the engine does differently from one release to the next, as the
// profile's release does it.
static void set_profile_behaviour(const AbiProfile& abi, ContextParams& params) {
  params.probe_hits_moving_sum = abi.has(kProbeHitsMovingSum);
  params.min_nr_regions_from_start = abi.has(kMinNrRegionsFromStart);
}

void EngineBackend::turn_on(StagedKdamond& kdamond, CommandDone done) {
  KdamondHandle handle = kdamond.handle();
  Slot& s = slot(handle);
  if (s.phase == Phase::running) return done(-EBUSY);
  // The previous (stopped) context is gone before the new one is built, as
  // in the kernel; its object (a thread to reap) is freed after the answer.
  post([old = std::shared_ptr<damon::Kdamond>(std::move(s.kdamond))] {});
  s.phase = Phase::never_started;

  ContextParams params;
  if (int err = build_checked(kdamond, *machine_, log_, params)) return done(err);
  set_profile_behaviour(*abi_, params);

  unsigned index = 0;
  for (const auto& [h, other] : slots_) index += other->phase == Phase::running;
  // Answered before the thread starts: validation is over, and what is left
  // (ops init, waking the thread) the kernel also does after its `on`
  // could fail only in the new kdamond, which then stops by itself. No
  // request is served in between: this loop is the only one.
  done(0);
  auto work = std::make_unique<ContextWork>(params, *machine_, *clock_, seed_ + nr_started_, trace_);
  auto kd = timeline_ ? std::make_unique<damon::Kdamond>(log_, *timeline_)
                      : std::make_unique<damon::Kdamond>(log_);
  int err = kd->start(
      index, std::move(work),
      [this, handle](damon::KdamondExit) { post([this, handle] { on_exit(handle); }); },
      std::move(spare_task_));
  post([this] { make_spare_task(); });
  ++nr_started_;
  s.kdamond = std::move(kd);
  if (err) {
    log_.error("kdamond " + std::to_string(index) + " stopped at start: " + std::strerror(-err));
    s.phase = Phase::stopped;
    return;
  }
  s.tid = s.kdamond->started_tid();
  s.phase = Phase::running;
  if (uint32_t ms = kdamond.refresh_ms()) arm_refresh(handle, s, ms);
}

void EngineBackend::turn_off(Slot& s, CommandDone done) {
  if (s.phase == Phase::never_started) return done(-EINVAL);
  if (s.phase == Phase::stopped) return done(-EPERM);
  // Answered once the thread has exited (on_exit), like the kernel's wait
  // for kdamond termination, without blocking the tree's thread.
  s.off_waiters.push_back(std::move(done));
  s.kdamond->request_stop();
}

void EngineBackend::on_exit(KdamondHandle handle) {
  auto it = slots_.find(handle);
  if (it == slots_.end()) return;
  Slot& s = *it->second;
  s.phase = Phase::stopped;
  s.refresh.reset();
  s.kdamond->stop();  // joins: the thread has nothing left to do
  auto waiters = std::move(s.off_waiters);
  for (auto& done : waiters) done(0);
}

template <class T>
void EngineBackend::snapshot(KdamondHandle handle, std::function<T(ContextWork&)> read,
                             std::function<void(StagedKdamond&, T)> write, CommandDone done) {
  Slot& s = slot(handle);
  auto on_result = [this, handle, write = std::move(write), done](int result, T value) mutable {
    post([this, handle, write = std::move(write), done = std::move(done), result,
          value = std::move(value)]() mutable {
      if (result == 0) {
        if (StagedKdamond* k = staged_->find(handle)) write(*k, std::move(value));
      }
      done(result);
    });
  };
  int err = s.kdamond->call_value<T>(
      [read = std::move(read)](KdamondWork& w) { return read(static_cast<ContextWork&>(w)); },
      std::move(on_result));
  if (err) done(-ECANCELED);
}

void EngineBackend::commit(StagedKdamond& kdamond, bool goals_only, CommandDone done) {
  ContextParams params;
  if (goals_only) {
    int built = kdamond.build_params(params);
    if (built == -EINVAL) return done(built);
    if (damon::validate_quota_goals(params.schemes, *machine_)) return done(-EINVAL);
  } else if (int err = build_checked(kdamond, *machine_, log_, params)) {
    if (!abi_->has(kDamonCallCommands)) return fail_commit_by_stopping(kdamond.handle(), std::move(done));
    return done(err);
  }
  set_profile_behaviour(*abi_, params);
  auto apply = [params = std::move(params), goals_only](KdamondWork& w) {
    auto& work = static_cast<ContextWork&>(w);
    if (goals_only) {
      work.commit_quota_goals(params);
      return 0;
    }
    return work.commit(params);
  };
  const KdamondHandle handle = kdamond.handle();
  const bool legacy = !abi_->has(kDamonCallCommands);
  int err = slot(handle).kdamond->call(std::move(apply), [this, handle, legacy, done](int result) {
    post([this, handle, legacy, done, result]() mutable {
      if (result && legacy) return fail_commit_by_stopping(handle, std::move(done));
      done(result);
    });
  });
  if (err) done(legacy ? -EINVAL : -ECANCELED);
}

void EngineBackend::fail_commit_by_stopping(KdamondHandle handle, CommandDone done) {
  Slot& s = slot(handle);
  if (s.phase != Phase::running) return done(0);
  s.off_waiters.push_back(std::move(done));
  s.kdamond->request_stop();
}

void EngineBackend::update_stats(StagedKdamond& kdamond, CommandDone done) {
  snapshot<std::vector<damon::SchemeStats>>(
      kdamond.handle(), [](ContextWork& w) { return w.scheme_stats(); },
      [](StagedKdamond& k, std::vector<damon::SchemeStats> stats) {
        for (size_t i = 0; i < stats.size(); ++i) k.set_scheme_stats(i, stats[i]);
      },
      std::move(done));
}

void EngineBackend::update_effective_quotas(StagedKdamond& kdamond, CommandDone done) {
  snapshot<std::vector<uint64_t>>(
      kdamond.handle(), [](ContextWork& w) { return w.effective_bytes(); },
      [](StagedKdamond& k, std::vector<uint64_t> bytes) {
        for (size_t i = 0; i < bytes.size(); ++i) k.set_effective_bytes(i, bytes[i]);
      },
      std::move(done));
}

void EngineBackend::update_tuned_intervals(StagedKdamond& kdamond, CommandDone done) {
  using Intervals = std::pair<uint64_t, uint64_t>;
  snapshot<Intervals>(
      kdamond.handle(), [](ContextWork& w) { return Intervals{w.sample_us(), w.aggr_us()}; },
      [](StagedKdamond& k, Intervals iv) { k.set_tuned_intervals(iv.first, iv.second); },
      std::move(done));
}

void EngineBackend::clear_tried(StagedKdamond& kdamond) {
  for (size_t i = 0; i < kdamond.nr_schemes(); ++i) kdamond.clear_tried_regions(i);
}

void EngineBackend::update_tried(StagedKdamond& kdamond, bool with_regions, CommandDone done) {
  Slot& s = slot(kdamond.handle());
  if (s.phase == Phase::never_started) return done(-EINVAL);
  clear_tried(kdamond);
  if (s.phase == Phase::stopped) return done(-EINVAL);

  // Filled on the kdamond thread while the walk runs, read on ours after.
  using Collected = std::vector<std::vector<damon::TriedRegion>>;
  auto collected = std::make_shared<Collected>();
  KdamondHandle handle = kdamond.handle();
  auto on_region = [collected](size_t scheme, const damon::TriedRegion& r) {
    if (collected->size() <= scheme) collected->resize(scheme + 1);
    (*collected)[scheme].push_back(r);
  };
  // On a manual clock nobody else may move time: the walk makes the
  // simulated time its apply round needs pass by itself.
  auto hold = std::make_shared<ProgressHold>(timeline_ && timeline_->manual() ? timeline_ : nullptr);
  auto on_done = [this, handle, collected, with_regions, done, hold](int result) {
    hold->release();
    post([this, handle, collected, with_regions, done, result] {
      StagedKdamond* k = staged_->find(handle);
      if (result == 0 && k) {
        for (size_t i = 0; i < collected->size(); ++i) {
          const auto& regions = (*collected)[i];
          if (with_regions) {
            k->set_tried_regions(i, regions);
          } else {
            uint64_t total = 0;
            for (const auto& r : regions) total += r.end - r.start;
            k->set_tried_bytes(i, total);
          }
        }
      }
      done(result);
    });
  };
  if (int err = s.kdamond->walk(on_region, on_done)) {
    hold->release();
    return done(err == -EINVAL ? -ECANCELED : err);
  }
  // Held only once the walk is queued, so that it begins at the same
  // point of the kdamond's run whatever the threads' timing.
  hold->acquire();
}

void EngineBackend::refresh_ms_changed(KdamondHandle kdamond, uint32_t refresh_ms) {
  auto it = slots_.find(kdamond);
  if (it == slots_.end() || it->second->phase != Phase::running) return;
  Slot& s = *it->second;
  if (s.refresh && s.refresh->set_period_us(uint64_t{refresh_ms} * 1000)) return;
  s.refresh.reset();
  if (refresh_ms) arm_refresh(kdamond, s, refresh_ms);
}

// refresh_ms: one repeating request per kdamond, each with its own period,
// refreshing what the kernel refreshes (tuned intervals, stats, effective
// quotas; never tried regions).
void EngineBackend::arm_refresh(KdamondHandle handle, Slot& s, uint32_t refresh_ms) {
  struct Snapshot {
    std::vector<damon::SchemeStats> stats;
    std::vector<uint64_t> effective_bytes;
    uint64_t sample_us, aggr_us;
  };
  s.refresh = s.kdamond->repeat(uint64_t{refresh_ms} * 1000, [this, handle](KdamondWork& w) {
    auto& work = static_cast<ContextWork&>(w);
    Snapshot snap{work.scheme_stats(), work.effective_bytes(), work.sample_us(), work.aggr_us()};
    post([this, handle, snap = std::move(snap)] {
      StagedKdamond* k = staged_->find(handle);
      if (!k || k->nr_contexts() != 1) return;
      k->set_tuned_intervals(snap.sample_us, snap.aggr_us);
      for (size_t i = 0; i < snap.stats.size(); ++i) k->set_scheme_stats(i, snap.stats[i]);
      for (size_t i = 0; i < snap.effective_bytes.size(); ++i)
        k->set_effective_bytes(i, snap.effective_bytes[i]);
    });
  });
}

}  // namespace damonfs::fs
