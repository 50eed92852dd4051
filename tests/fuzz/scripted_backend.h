// A kdamond backend for the fuzzer that behaves like a kernel with DAMON
// (docs/state.md, "Commands") but runs nothing: `on` marks a kdamond running,
// and the commands that need a running kdamond write made-up results into the
// staged kdamond (stats, tried regions, quotas, intervals) through the
// StagedKdamond interface. Half of those complete later (when the fuzz script
// pumps), so the tree's global lock, EBUSY paths and asynchronous writes are
// exercised too. Everything is a function of the seed.
#pragma once

#include <cerrno>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "fs/tree/kdamond_backend.h"
#include "tests/fuzz/fuzz_check.h"

namespace damonfs::fs::fuzz {

class ScriptedBackend final : public KdamondBackend {
 public:
  // Bounds what a tried-regions walk produces, like the fuzzer's nr writes.
  static constexpr uint64_t kMaxTriedRegions = 8;

  explicit ScriptedBackend(uint64_t seed) : rng_state_(seed) {}

  void attach(StagedKdamonds& staged) override { staged_ = &staged; }
  bool running(KdamondHandle k) const override { return phase(k) == Phase::running; }
  int pid(KdamondHandle k) const override {
    return running(k) ? 1000 + static_cast<int>(k.index) : -1;
  }
  bool any_running() const override {
    for (const auto& [k, p] : phases_)
      if (p == Phase::running) return true;
    return false;
  }

  void command(StagedKdamond& kd, StateCommand cmd, CommandDone done) override {
    const KdamondHandle k = kd.handle();
    FUZZ_CHECK(staged_ && staged_->find(k) == &kd, "command for a kdamond the tree cannot find");
    if (kd.nr_contexts() != 1 && cmd != StateCommand::off) return done(-EINVAL);
    const Phase p = phase(k);
    switch (cmd) {
      case StateCommand::on: {
        if (p == Phase::running) return done(-EBUSY);
        damon::ContextParams params;
        if (int err = kd.build_params(params)) return done(err);
        phases_[k] = Phase::running;
        return done(0);
      }
      case StateCommand::off:
        if (p == Phase::never) return done(-EINVAL);
        if (p == Phase::stopped) return done(-EPERM);
        phases_[k] = Phase::stopped;
        return done(0);
      case StateCommand::clear_schemes_tried_regions:
        for (size_t i = 0; i < kd.nr_schemes(); ++i) kd.clear_tried_regions(i);
        return done(0);
      case StateCommand::update_schemes_tried_regions:
      case StateCommand::update_schemes_tried_bytes:
        for (size_t i = 0; i < kd.nr_schemes(); ++i) kd.clear_tried_regions(i);
        if (p == Phase::stopped) return done(-EINVAL);
        break;
      default:
        break;
    }
    if (p != Phase::running) return done(-EINVAL);
    if (next() % 2) return finish(kd, cmd, std::move(done));
    pending_.push_back({k, cmd, std::move(done)});
  }

  void refresh_ms_changed(KdamondHandle k, uint32_t ms) override {
    StagedKdamond* kd = staged_->find(k);
    FUZZ_CHECK(kd && kd->refresh_ms() == ms, "refresh_ms change for a stale kdamond");
  }

  void kdamonds_rebuilt() override {
    FUZZ_CHECK(!any_running(), "kdamonds rebuilt while one runs");
    FUZZ_CHECK(pending_.empty(), "kdamonds rebuilt while a command waits");
    phases_.clear();
  }

  bool pending() const { return !pending_.empty(); }

  // Completes the oldest waiting command, as a kdamond finishing its
  // damon_call or walk would.
  void complete_one() {
    if (pending_.empty()) return;
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    StagedKdamond* kd = staged_->find(p.kdamond);
    FUZZ_CHECK(kd, "a kdamond vanished while its command waited");
    finish(*kd, p.cmd, std::move(p.done));
  }

 private:
  enum class Phase { never, running, stopped };
  struct Pending {
    KdamondHandle kdamond;
    StateCommand cmd;
    CommandDone done;
  };

  Phase phase(KdamondHandle k) const {
    auto it = phases_.find(k);
    return it == phases_.end() ? Phase::never : it->second;
  }

  // splitmix64
  uint64_t next() {
    uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

  // Writes the command's results. Scheme indexes go one past the staged
  // ones: results for a scheme that is gone must be dropped.
  void finish(StagedKdamond& kd, StateCommand cmd, CommandDone done) {
    const size_t schemes = kd.nr_schemes() + 1;
    switch (cmd) {
      case StateCommand::commit: {
        damon::ContextParams params;
        return done(kd.build_params(params));
      }
      case StateCommand::update_schemes_stats:
        for (size_t i = 0; i < schemes; ++i)
          kd.set_scheme_stats(i, {next(), next(), next(), next(), next(), next(), next()});
        break;
      case StateCommand::update_schemes_effective_quotas:
        for (size_t i = 0; i < schemes; ++i) kd.set_effective_bytes(i, next());
        break;
      case StateCommand::update_tuned_intervals:
        kd.set_tuned_intervals(next(), next());
        break;
      case StateCommand::update_schemes_tried_bytes:
        for (size_t i = 0; i < schemes; ++i) kd.set_tried_bytes(i, next());
        break;
      case StateCommand::update_schemes_tried_regions:
        for (size_t i = 0; i < schemes; ++i) {
          std::vector<damon::TriedRegion> regions(next() % (kMaxTriedRegions + 1));
          uint64_t at = next() >> 16;
          for (damon::TriedRegion& r : regions) {
            r.start = at;
            r.end = at += (next() % 4096 + 1) * 4096;
            r.nr_accesses = static_cast<uint32_t>(next() % 21);
            r.age = static_cast<uint32_t>(next() % 100);
            r.sz_filter_passed = next() % (r.end - r.start + 1);
          }
          kd.set_tried_regions(i, regions);
        }
        break;
      default:
        break;
    }
    done(0);
  }

  StagedKdamonds* staged_ = nullptr;
  std::map<KdamondHandle, Phase> phases_;
  std::deque<Pending> pending_;
  uint64_t rng_state_;
};

}  // namespace damonfs::fs::fuzz
