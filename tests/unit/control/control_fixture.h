// A real Tree served by a real EngineBackend, whose kdamonds monitor a
// simulated machine, on one Asio loop that the test thread runs, as the
// daemon's FUSE loop does: kdamond threads post their completions to it,
// and the test pumps it while it waits for an answer.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/clock.h"
#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/sim_machine.h"
#include "fs/control/engine_backend.h"
#include "fs/tree/abi_profile.h"
#include "fs/tree/tree.h"
#include "tests/support/recording_log.h"
#include "tests/unit/control/tree_paths.h"

namespace damonfs::fs::test {

using namespace std::chrono_literals;

// How a test context is staged.
struct StagedContext {
  std::string ops = "paddr";
  int pid = 0;  // vaddr/fvaddr target
  uint64_t sample_us = 1000;
  uint64_t aggr_us = 20000;
  int nr_schemes = 1;  // each a `stat` scheme matching every region
};

inline std::string kdamond_dir(int k) { return "admin/kdamonds/" + std::to_string(k); }
inline std::string context_dir(int k) { return kdamond_dir(k) + "/contexts/0"; }
inline std::string scheme_dir(int k, int s) {
  return context_dir(k) + "/schemes/" + std::to_string(s);
}

class ControlTest : public ::testing::Test {
 protected:
  // The simulation's processes exist in memory only (no stub processes):
  // pids are synthetic, and SimMachine::kill ends them.
  explicit ControlTest(const char* abi = "6.18")
      : machine(damon::sim::default_scenario(), clock,
                damon::sim::SimOptions{.stubs = false, .seed = std::nullopt}),
        backend(
            clock, log, [this](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); },
            /*seed=*/1),
        tree(*AbiProfile::find(abi), backend),
        fs(tree) {
    backend.set_machine(machine);
    backend.set_abi(*AbiProfile::find(abi));
  }

  // Runs the loop until the write completes: "ok" or "!ERRNO"; "!HANG"
  // when nothing came within `timeout`.
  std::string write(std::string_view path, std::string_view data,
                    std::chrono::milliseconds timeout = 10s) {
    auto result = std::make_shared<std::optional<std::string>>();
    fs.write(path, data, [result](std::string r) { *result = std::move(r); });
    wait_until([&] { return result->has_value(); }, timeout);
    return result->value_or("!HANG");
  }

  std::string state(int k, std::string_view cmd) { return write(kdamond_dir(k) + "/state", cmd); }

  // Runs the loop for `d`.
  void pump(std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) io.run_one_until(end);
  }

  // Runs the loop until `done()` or `timeout`; returns done().
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!done() && std::chrono::steady_clock::now() < end)
      io.run_one_until(std::min(end, std::chrono::steady_clock::now() + 5ms));
    return done();
  }

  // Copies kdamond k's scheme stats into the files until `copied()` holds
  // on them. The kdamond runs on the wall clock, and a busy machine may
  // give its thread no time for a while: what it has done is waited for,
  // never assumed after a fixed time.
  bool stats_until(int k, const std::function<bool()>& copied) {
    return wait_until([&] { return state(k, "update_schemes_stats") == "ok" && copied(); });
  }

  // nr_kdamonds = n, each with one context staged as `c`.
  void stage(int n, const StagedContext& c = {}) {
    ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", std::to_string(n)), "ok");
    for (int k = 0; k < n; ++k) stage_context(k, c);
  }

  void stage_context(int k, const StagedContext& c) {
    const std::string ctx = context_dir(k);
    ASSERT_EQ(write(kdamond_dir(k) + "/contexts/nr_contexts", "1"), "ok");
    ASSERT_EQ(write(ctx + "/operations", c.ops), "ok");
    ASSERT_EQ(write(ctx + "/monitoring_attrs/intervals/sample_us", std::to_string(c.sample_us)),
              "ok");
    ASSERT_EQ(write(ctx + "/monitoring_attrs/intervals/aggr_us", std::to_string(c.aggr_us)), "ok");
    ASSERT_EQ(write(ctx + "/targets/nr_targets", "1"), "ok");
    if (c.ops != "paddr") {
      ASSERT_EQ(write(ctx + "/targets/0/pid_target", std::to_string(c.pid)), "ok");
    } else {
      // paddr monitors exactly the regions it is given: all of memory.
      const damon::AddrRange ram = physical_memory();
      ASSERT_EQ(write(ctx + "/targets/0/regions/nr_regions", "1"), "ok");
      ASSERT_EQ(write(ctx + "/targets/0/regions/0/start", std::to_string(ram.start)), "ok");
      ASSERT_EQ(write(ctx + "/targets/0/regions/0/end", std::to_string(ram.end)), "ok");
    }
    ASSERT_EQ(write(ctx + "/schemes/nr_schemes", std::to_string(c.nr_schemes)), "ok");
    for (int s = 0; s < c.nr_schemes; ++s) {
      const std::string pattern = scheme_dir(k, s) + "/access_pattern/";
      for (const char* range : {"sz", "nr_accesses", "age"})
        ASSERT_EQ(write(pattern + range + "/max", "18446744073709551615"), "ok");
      ASSERT_EQ(write(scheme_dir(k, s) + "/action", "stat"), "ok");
    }
  }

  int pid_of(const std::string& name) const { return machine.pid_of(name).value_or(0); }

  // The simulated machine's nodes are back to back: one System RAM range.
  damon::AddrRange physical_memory() const { return machine.phys_ranges().at(0); }

  // The order matters: the backend goes first, stopping its kdamonds,
  // which post to `io` and use `machine` until they have exited.
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  damon::SteadyClock clock;
  damon::test::RecordingLog log;
  damon::sim::SimMachine machine;
  EngineBackend backend;
  Tree tree;
  TreePaths fs;
};

}  // namespace damonfs::fs::test
