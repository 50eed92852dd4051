// 16 kdamonds with refresh_ms between 1 and 50 while 4 client threads
// hammer `state` commands, nr_* writes and reads, threaded the way the
// daemon is: one loop thread owns the Tree and the EngineBackend, clients
// post operations to it and wait for the answer (as FUSE requests wait for
// theirs), kdamond threads post their completions back, and a fifth client
// kills simulated processes now and then. Meant to run under TSan
// (scripts/test.sh builds it in the TSan tree).
//
// Every operation must be answered within 30 s (else the binary aborts: a
// hang must not hang CI; the slowest answer is printed), every answer must
// be one the kernel could give, each tree snapshot must be coherent (nr_*
// files agree with their directories, `state` with `pid`, tried regions
// with total_bytes), and at the end every kdamond must turn off cleanly.
//
// STRESS_SECONDS sets the duration (default 10; scripts/test.sh runs 60).
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/clock.h"
#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/sim_machine.h"
#include "fs/control/engine_backend.h"
#include "fs/tree/abi_profile.h"
#include "fs/tree/tree.h"
#include "tests/support/recording_log.h"
#include "tests/unit/control/tree_paths.h"

namespace damonfs::fs::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kKdamonds = 16;
constexpr int kClients = 4;
constexpr int kProcesses = 12;
constexpr int kKeepAlive = 4;  // processes never killed, so `on` keeps working
// Reaching it means a hang, not slowness: under TSan on a loaded 2-core
// machine a command waiting for a kdamond's next safe point has taken 1 s.
constexpr auto kAnswerWithin = 30s;

std::chrono::seconds stress_duration() {
  const char* env = std::getenv("STRESS_SECONDS");
  const long seconds = env ? std::strtol(env, nullptr, 10) : 0;
  return std::chrono::seconds(seconds > 0 ? seconds : 10);
}

// Many small processes, so that vaddr kdamonds have targets to lose.
damon::sim::Scenario many_processes() {
  damon::sim::Scenario s;
  s.name = "control-stress";
  s.seed = 7;
  s.machine = damon::sim::default_machine();
  for (int i = 0; i < kProcesses; ++i) {
    damon::sim::ProcessSpec p;
    p.name = "stress" + std::to_string(i);
    for (auto [name, mib] : {std::pair{"hot", 8}, std::pair{"cold", 56}}) {
      damon::sim::RegionSpec r;
      r.name = name;
      r.size = static_cast<uint64_t>(mib) * damon::sim::kMiB;
      p.regions.push_back(r);
    }
    damon::sim::PhaseSpec steady;
    steady.name = "steady";
    steady.access.resize(2);
    steady.access[0].intensity = 100;
    steady.access[1].intensity = 0.1;
    p.phases = {steady};
    s.processes.push_back(std::move(p));
  }
  return s;
}

std::string kdamond(int k) { return "admin/kdamonds/" + std::to_string(k); }
std::string context(int k) { return kdamond(k) + "/contexts/0"; }

// The files that say how many numbered directories sit beside them.
const std::set<std::string> kNrFiles = {"nr_kdamonds", "nr_contexts", "nr_targets", "nr_regions",
                                        "nr_schemes",  "nr_filters",  "nr_goals",   "nr_dests"};

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// The first few things that went wrong, from any thread.
class Violations {
 public:
  void add(std::string what) {
    std::lock_guard lock(mu_);
    if (messages_.size() < 20) messages_.push_back(std::move(what));
    ++count_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  std::string report() const {
    std::lock_guard lock(mu_);
    std::string out;
    for (const std::string& m : messages_) out += m + '\n';
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> messages_;
  size_t count_ = 0;
};

// One answer, handed from the loop thread to the waiting client.
class Answer {
 public:
  void set(std::string value) {
    std::lock_guard lock(mu_);
    value_ = std::move(value);
    cv_.notify_all();
  }
  std::optional<std::string> wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [this] { return value_.has_value(); });
    return value_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::string> value_;
};

// What each kind of operation was answered, counted.
class Tally {
 public:
  void add(const std::string& kind, const std::string& outcome) {
    std::lock_guard lock(mu_);
    ++counts_[kind + " " + outcome];
  }
  uint64_t count(const std::string& kind, const std::string& outcome) const {
    std::lock_guard lock(mu_);
    auto it = counts_.find(kind + " " + outcome);
    return it == counts_.end() ? 0 : it->second;
  }
  void print() const {
    std::lock_guard lock(mu_);
    for (const auto& [what, n] : counts_)
      std::printf("  %-48s %llu\n", what.c_str(), static_cast<unsigned long long>(n));
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> counts_;
};

// Runs on the loop thread; calls `finish` exactly once, then or later.
using Finish = std::function<void(std::string outcome)>;
using Op = std::function<void(Finish)>;

class StressRig {
 public:
  StressRig()
      : machine_(many_processes(), clock_,
                 damon::sim::SimOptions{.stubs = false, .seed = std::nullopt}),
        backend_(
            clock_, log_,
            [this](std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); },
            /*seed=*/3),
        tree_(*AbiProfile::find("6.18"), backend_),
        fs_(tree_) {
    backend_.set_machine(machine_);
    loop_ = std::thread([this] { io_.run(); });
  }

  // The backend goes after the loop thread has stopped: it is only ever
  // used on one thread at a time.
  ~StressRig() {
    guard_.reset();
    io_.stop();
    loop_.join();
  }

  // `op` on the loop thread, its answer here. Aborts when none comes in
  // time: the loop or a kdamond is stuck, and waiting longer cannot help.
  std::string run(const std::string& what, Op op) {
    auto answer = std::make_shared<Answer>();
    const auto start = Clock::now();
    boost::asio::post(io_, [op = std::move(op), answer] {
      op([answer](std::string r) { answer->set(std::move(r)); });
    });
    std::optional<std::string> result = answer->wait_for(kAnswerWithin);
    if (!result) {
      std::fprintf(stderr, "control stress: '%s' not answered within %lld ms: hang\n%s",
                   what.c_str(), static_cast<long long>(kAnswerWithin.count() * 1000),
                   violations.report().c_str());
      std::fflush(stderr);
      std::abort();
    }
    const Clock::duration took = Clock::now() - start;
    {
      std::lock_guard lock(slowest_mu_);
      if (took > slowest_) {
        slowest_ = took;
        slowest_what_ = what;
      }
    }
    return *result;
  }

  // --- operations (run on the loop thread) ---------------------------------

  // A write that completes at once (every file but `state`).
  std::string write_now(const std::string& path, const std::string& data) {
    std::optional<std::string> result;
    fs_.write(path, data, [&result](std::string r) { result = std::move(r); });
    if (!result) {
      violations.add("write to " + path + " did not complete at once");
      return "!PENDING";
    }
    return *result;
  }

  Op state_command(int k, std::string cmd) {
    return [this, k, cmd](Finish finish) {
      fs_.write(kdamond(k) + "/state", cmd, [this, k, cmd, finish](std::string r) {
        if (!allowed(cmd).count(r)) violations.add("state " + cmd + " on " + kdamond(k) + ": " + r);
        if (r == "ok" && cmd == "update_schemes_tried_regions") check_tried_regions(k);
        tally.add("state " + cmd, r);
        finish(r);
      });
    };
  }

  // `state` and `pid` read in one go must agree.
  Op read_state_and_pid(int k) {
    return [this, k](Finish finish) {
      const std::string state = fs_.read(kdamond(k) + "/state");
      const std::string pid = fs_.read(kdamond(k) + "/pid");
      const bool busy = state == "!EBUSY";
      const bool coherent = busy ? pid == "!EBUSY"
                                 : (state == "on\n" && fs_.number(kdamond(k) + "/pid") > 0) ||
                                       (state == "off\n" && pid == "-1\n");
      if (!coherent) violations.add(kdamond(k) + ": state " + state + " with pid " + pid);
      tally.add("read state+pid", busy ? "busy" : state.substr(0, state.size() - 1));
      finish(state);
    };
  }

  Op read_file(std::string path) {
    return [this, path](Finish finish) {
      const std::string r = fs_.read(path);
      // Files of vanished directories read ENOENT; the global lock only
      // guards state and pid.
      const bool ok = !r.empty() && (r[0] != '!' || r == "!ENOENT");
      if (!ok) violations.add("read " + path + ": " + r);
      tally.add("read", r[0] == '!' ? r : "ok");
      finish(r);
    };
  }

  Op check_kdamond_tree(int k) {
    return [this, k](Finish finish) {
      check_tree(kdamond(k));
      tally.add("walk", "done");
      finish("ok");
    };
  }

  Op write_nr(std::string path, int value) {
    return [this, path, value](Finish finish) {
      const std::string r = write_now(path, std::to_string(value));
      if (r != "ok" && r != "!EBUSY" && r != "!ENOENT")
        violations.add(path + " = " + std::to_string(value) + ": " + r);
      tally.add("nr write", r);
      finish(r);
    };
  }

  Op write_refresh_ms(int k, int ms) {
    return [this, k, ms](Finish finish) {
      const std::string r = write_now(kdamond(k) + "/refresh_ms", std::to_string(ms));
      if (r != "ok") violations.add("refresh_ms " + std::to_string(ms) + ": " + r);
      tally.add("refresh_ms write", r);
      finish(r);
    };
  }

  // Stages kdamond k from scratch (a restage may meet the global lock).
  Op restage(int k, uint32_t seed) {
    return [this, k, seed](Finish finish) {
      const std::string r = stage(k, seed);
      tally.add("restage", r);
      finish(r);
    };
  }

  // New intervals, then `commit`.
  Op commit_intervals(int k, uint64_t sample_us, uint64_t aggr_us) {
    return [this, k, sample_us, aggr_us](Finish finish) {
      const std::string iv = context(k) + "/monitoring_attrs/intervals/";
      write_now(iv + "sample_us", std::to_string(sample_us));
      write_now(iv + "aggr_us", std::to_string(aggr_us));
      state_command(k, "commit")(finish);
    };
  }

  Op rewrite_nr_kdamonds(uint32_t seed) {
    return [this, seed](Finish finish) {
      const std::string r = write_now("admin/kdamonds/nr_kdamonds", std::to_string(kKdamonds));
      if (r != "ok" && r != "!EBUSY") violations.add("nr_kdamonds: " + r);
      if (r == "ok") {
        for (int k = 0; k < kKdamonds; ++k) stage(k, seed + static_cast<uint32_t>(k));
      }
      tally.add("nr_kdamonds write", r);
      finish(r);
    };
  }

  // Kills a simulated process (from the calling thread, like `kill`).
  void kill_one(std::mt19937& rng) {
    std::vector<int> alive;
    for (const damon::sim::SimProcessInfo& p : machine_.processes())
      if (p.alive) alive.push_back(p.pid);
    if (alive.size() <= static_cast<size_t>(kKeepAlive)) return;
    // The first kKeepAlive processes are spared.
    const int pid = alive[kKeepAlive + rng() % (alive.size() - kKeepAlive)];
    if (machine_.kill(pid)) tally.add("kill", "ok");
  }

  // Stages kdamond k: paddr or vaddr on a live process, random intervals
  // and refresh_ms, 1-2 match-all stat schemes. "ok" or the first error.
  std::string stage(int k, uint32_t seed) {
    std::mt19937 rng(seed);
    const std::string ctx = context(k);
    std::vector<std::pair<std::string, std::string>> writes = {
        {kdamond(k) + "/refresh_ms", std::to_string(1 + rng() % 50)},
        {kdamond(k) + "/contexts/nr_contexts", "1"}};
    const uint64_t sample_us = 1000 + rng() % 4000;
    const uint64_t aggr_us = sample_us * (5 + rng() % 15);
    writes.push_back({ctx + "/monitoring_attrs/intervals/sample_us", std::to_string(sample_us)});
    writes.push_back({ctx + "/monitoring_attrs/intervals/aggr_us", std::to_string(aggr_us)});
    // Few regions: the load is meant for the control plane, not the sampler.
    writes.push_back({ctx + "/monitoring_attrs/nr_regions/max", std::to_string(20 + rng() % 80)});
    writes.push_back({ctx + "/targets/nr_targets", "1"});
    std::vector<int> alive;
    for (const damon::sim::SimProcessInfo& p : machine_.processes())
      if (p.alive) alive.push_back(p.pid);
    if (k % 2 == 0 || alive.empty()) {
      const damon::AddrRange ram = machine_.phys_ranges().at(0);
      const uint64_t start = ram.start + (rng() % 8) * (uint64_t{1} << 30);
      writes.push_back({ctx + "/operations", "paddr"});
      writes.push_back({ctx + "/targets/0/regions/nr_regions", "1"});
      writes.push_back({ctx + "/targets/0/regions/0/start", std::to_string(start)});
      writes.push_back(
          {ctx + "/targets/0/regions/0/end", std::to_string(start + (uint64_t{1} << 30))});
    } else {
      writes.push_back({ctx + "/operations", "vaddr"});
      writes.push_back(
          {ctx + "/targets/0/pid_target", std::to_string(alive[rng() % alive.size()])});
    }
    const int nr_schemes = 1 + static_cast<int>(rng() % 2);
    writes.push_back({ctx + "/schemes/nr_schemes", std::to_string(nr_schemes)});
    for (int s = 0; s < nr_schemes; ++s) {
      const std::string scheme = ctx + "/schemes/" + std::to_string(s);
      writes.push_back({scheme + "/action", "stat"});
      for (const char* range : {"sz", "nr_accesses", "age"})
        writes.push_back({scheme + "/access_pattern/" + range + "/max", "18446744073709551615"});
    }
    for (const auto& [path, value] : writes) {
      const std::string r = write_now(path, value);
      if (r == "ok") continue;
      if (r != "!EBUSY" && r != "!ENOENT")
        violations.add("stage " + path + " = " + value + ": " + r);
      return r;
    }
    return "ok";
  }

  // --- coherence --------------------------------------------------------

  // Every nr_* file below `dir` names as many numbered children as there
  // are; tried regions add up to their total_bytes.
  void check_tree(const std::string& dir) {
    const Strings entries = fs_.ls(dir);
    if (!entries.empty() && entries[0][0] == '!') {
      violations.add("ls " + dir + ": " + entries[0]);
      return;
    }
    size_t numbered = 0;
    std::optional<long long> nr;
    for (const std::string& e : entries) {
      if (e.back() == '/') {
        const std::string name = e.substr(0, e.size() - 1);
        numbered += all_digits(name);
        check_tree(dir + "/" + name);
      } else if (kNrFiles.count(e)) {
        nr = fs_.number(dir + "/" + e);
      }
    }
    if (nr && *nr != static_cast<long long>(numbered))
      violations.add(dir + ": nr says " + std::to_string(*nr) + ", " + std::to_string(numbered) +
                     " directories");
    if (dir.size() >= 14 && dir.compare(dir.size() - 14, 14, "/tried_regions") == 0)
      check_tried(dir, numbered);
  }

  void check_tried(const std::string& dir, size_t n) {
    if (n == 0) return;  // after update_schemes_tried_bytes: a total without regions
    uint64_t sum = 0, prev_end = 0;
    for (size_t i = 0; i < n; ++i) {
      const std::string r = dir + "/" + std::to_string(i);
      const long long start = fs_.number(r + "/start"), end = fs_.number(r + "/end");
      if (start < 0 || end <= start || static_cast<uint64_t>(start) < prev_end) {
        violations.add(r + ": bad range " + std::to_string(start) + "-" + std::to_string(end));
        return;
      }
      prev_end = static_cast<uint64_t>(end);
      sum += static_cast<uint64_t>(end - start);
    }
    const long long total = fs_.number(dir + "/total_bytes");
    if (total != static_cast<long long>(sum))
      violations.add(dir + ": total_bytes " + std::to_string(total) + ", regions add up to " +
                     std::to_string(sum));
  }

  void check_tried_regions(int k) {
    const Strings schemes = fs_.ls(context(k) + "/schemes");
    for (const std::string& s : schemes)
      if (s.back() == '/') check_tree(context(k) + "/schemes/" + s + "tried_regions");
  }

  static const std::set<std::string>& allowed(const std::string& cmd) {
    static const std::map<std::string, std::set<std::string>> table = {
        {"on", {"ok", "!EINVAL", "!EBUSY", "!ENOMEM"}},
        {"off", {"ok", "!EINVAL", "!EPERM", "!EBUSY"}},
        {"commit", {"ok", "!EINVAL", "!ENOMEM", "!ECANCELED", "!EBUSY"}},
        {"update_schemes_tried_regions", {"ok", "!EINVAL", "!ECANCELED", "!EBUSY"}},
        {"update_schemes_tried_bytes", {"ok", "!EINVAL", "!ECANCELED", "!EBUSY"}},
        {"clear_schemes_tried_regions", {"ok", "!EINVAL", "!EBUSY"}},
        {"bogus", {"!EINVAL", "!EBUSY"}},
    };
    static const std::set<std::string> calls = {"ok", "!EINVAL", "!ECANCELED", "!EBUSY"};
    auto it = table.find(cmd);
    return it == table.end() ? calls : it->second;
  }

  Violations violations;
  Tally tally;
  // The longest wait for an answer, and what it was for.
  std::string slowest() const {
    std::lock_guard lock(slowest_mu_);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(slowest_).count();
    return std::to_string(ms) + " ms (" + slowest_what_ + ")";
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{
      io_.get_executor()};
  damon::SteadyClock clock_;
  damon::test::RecordingLog log_;
  damon::sim::SimMachine machine_;
  EngineBackend backend_;
  Tree tree_;
  TreePaths fs_;
  std::thread loop_;
  mutable std::mutex slowest_mu_;
  Clock::duration slowest_{};
  std::string slowest_what_;
};

const char* const kCommands[] = {"on",
                                 "on",
                                 "on",
                                 "off",
                                 "commit",
                                 "commit_schemes_quota_goals",
                                 "update_schemes_stats",
                                 "update_schemes_stats",
                                 "update_schemes_tried_regions",
                                 "update_schemes_tried_regions",
                                 "update_schemes_tried_bytes",
                                 "clear_schemes_tried_regions",
                                 "update_schemes_effective_quotas",
                                 "update_tuned_intervals",
                                 "bogus"};

// One random operation of a client.
void client_step(StressRig& rig, std::mt19937& rng) {
  const int k = static_cast<int>(rng() % kKdamonds);
  const unsigned dice = rng() % 100;
  if (dice < 40) {
    const char* cmd = kCommands[rng() % std::size(kCommands)];
    rig.run(std::string("state ") + cmd, rig.state_command(k, cmd));
  } else if (dice < 52) {
    rig.run("read state+pid", rig.read_state_and_pid(k));
  } else if (dice < 60) {
    const char* files[] = {"/refresh_ms",
                           "/contexts/0/schemes/0/stats/nr_tried",
                           "/contexts/0/schemes/0/stats/sz_tried",
                           "/contexts/0/schemes/0/tried_regions/total_bytes",
                           "/contexts/0/schemes/0/quotas/effective_bytes",
                           "/contexts/0/monitoring_attrs/intervals/sample_us",
                           "/contexts/0/schemes/nr_schemes"};
    rig.run("read", rig.read_file(kdamond(k) + files[rng() % std::size(files)]));
  } else if (dice < 67) {
    rig.run("walk", rig.check_kdamond_tree(k));
  } else if (dice < 77) {
    const std::pair<const char*, int> nr_files[] = {
        {"/contexts/nr_contexts", 2},
        {"/contexts/0/targets/nr_targets", 3},
        {"/contexts/0/targets/0/regions/nr_regions", 3},
        {"/contexts/0/schemes/nr_schemes", 4},
        {"/contexts/0/schemes/0/filters/nr_filters", 3},
        {"/contexts/0/schemes/0/quotas/goals/nr_goals", 3},
        {"/contexts/0/schemes/0/dests/nr_dests", 3}};
    const auto& [file, bound] = nr_files[rng() % std::size(nr_files)];
    rig.run("nr write", rig.write_nr(kdamond(k) + file, static_cast<int>(rng() % bound)));
  } else if (dice < 85) {
    rig.run("refresh_ms write", rig.write_refresh_ms(k, rng() % 8 ? 1 + rng() % 50 : 0));
  } else if (dice < 95) {
    rig.run("restage", rig.restage(k, static_cast<uint32_t>(rng())));
  } else if (dice < 99) {
    const uint64_t sample_us = 1000 + rng() % 4000;
    rig.run("commit", rig.commit_intervals(k, sample_us, sample_us * (5 + rng() % 15)));
  } else {
    rig.run("nr_kdamonds write", rig.rewrite_nr_kdamonds(static_cast<uint32_t>(rng())));
  }
}

TEST(ControlStress, ClientsHammerSixteenRefreshingKdamonds) {
  const auto duration = stress_duration();
  StressRig rig;
  ASSERT_EQ(rig.run("setup", rig.rewrite_nr_kdamonds(1000)), "ok");
  for (int k = 0; k < kKdamonds; ++k)
    ASSERT_EQ(rig.run("setup on", rig.state_command(k, "on")), "ok");

  const auto deadline = Clock::now() + duration;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&rig, deadline, c] {
      std::mt19937 rng(static_cast<uint32_t>(c) + 1);
      while (Clock::now() < deadline) client_step(rig, rng);
    });
  }
  std::thread killer([&rig, deadline] {
    std::mt19937 rng(99);
    while (Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 800));
      if (rng() % 4 == 0) rig.kill_one(rng);
    }
  });
  for (std::thread& t : clients) t.join();
  killer.join();

  // Every kdamond turns off cleanly and says so; the tree is coherent and
  // nothing runs any more.
  for (int k = 0; k < kKdamonds; ++k) rig.run("final off", rig.state_command(k, "off"));
  for (int k = 0; k < kKdamonds; ++k) {
    EXPECT_EQ(rig.run("final state", rig.read_state_and_pid(k)), "off\n") << k;
    EXPECT_EQ(rig.run("final pid", rig.read_file(kdamond(k) + "/pid")), "-1\n") << k;
    rig.run("final walk", rig.check_kdamond_tree(k));
  }
  EXPECT_EQ(
      rig.run("final nr_kdamonds",
              [&rig](Finish finish) { finish(rig.write_now("admin/kdamonds/nr_kdamonds", "0")); }),
      "ok");

  std::printf("control stress: %lld s, slowest answer %s\n",
              static_cast<long long>(duration.count()), rig.slowest().c_str());
  rig.tally.print();
  EXPECT_EQ(rig.violations.count(), 0u) << rig.violations.report();
  // The run did exercise the interesting paths.
  EXPECT_GT(rig.tally.count("state on", "ok"), 0u);
  EXPECT_GT(rig.tally.count("state update_schemes_tried_regions", "ok"), 0u);
  EXPECT_GT(rig.tally.count("state update_schemes_stats", "ok"), 0u);
}

}  // namespace
}  // namespace damonfs::fs::test
