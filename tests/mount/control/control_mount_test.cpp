// The state-commit layer through a real mount, as a shell script drives it:
// a vaddr kdamond on a simulated process (a real stub process, found with
// pgrep), checked against the ground truth the mount shows in damonfs/.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/mount/mount_session.h"

namespace damonfs::test {
namespace {

const std::string kK0 = "admin/kdamonds/0";
const std::string kC0 = kK0 + "/contexts/0";
const std::string kS0 = kC0 + "/schemes/0";

struct Range {
  unsigned long long start = 0, end = 0;
  bool contains(const Range& r) const { return start <= r.start && r.end <= end; }
};

// The value after `key` in a "key value ..." line.
std::string field(const std::string& line, const std::string& key) {
  std::istringstream in(line);
  for (std::string k, v; in >> k >> v;)
    if (k == key) return v;
  return "";
}

class ControlMountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mnt.ready());
    // The stub is the daemon's child: other mounts may run their own hotcold.
    const std::string found = shell("pgrep -P " + std::to_string(mnt.daemon_pid()) + " -x hotcold");
    ASSERT_FALSE(found.empty()) << "no hotcold stub process";
    pid = std::stoi(found);
    ASSERT_NE(mnt.read("damonfs/processes")
                  .find("name hotcold pid " + std::to_string(pid) + " alive yes"),
              std::string::npos);
  }

  // One kdamond monitoring `pid` with a `stat` scheme that matches every
  // region, turned on.
  void start_kdamond(const std::string& refresh_ms = "0", const std::string& apply_interval_us = "0") {
    ASSERT_EQ(mnt.write("admin/kdamonds/nr_kdamonds", "1"), "ok");
    ASSERT_EQ(mnt.write(kK0 + "/refresh_ms", refresh_ms), "ok");
    ASSERT_EQ(mnt.write(kK0 + "/contexts/nr_contexts", "1"), "ok");
    ASSERT_EQ(mnt.write(kC0 + "/operations", "vaddr"), "ok");
    ASSERT_EQ(mnt.write(kC0 + "/targets/nr_targets", "1"), "ok");
    ASSERT_EQ(mnt.write(kC0 + "/targets/0/pid_target", std::to_string(pid)), "ok");
    ASSERT_EQ(mnt.write(kC0 + "/schemes/nr_schemes", "1"), "ok");
    ASSERT_EQ(mnt.write(kS0 + "/action", "stat"), "ok");
    ASSERT_EQ(mnt.write(kS0 + "/apply_interval_us", apply_interval_us), "ok");
    for (const char* range : {"sz", "nr_accesses", "age"})
      ASSERT_EQ(mnt.write(kS0 + "/access_pattern/" + range + "/max", "18446744073709551615"), "ok");
    ASSERT_EQ(mnt.write(kK0 + "/state", "on"), "ok");
  }

  // Where the process's region `name` is, from damonfs/truth/PID.
  Range truth(const std::string& name) {
    std::istringstream in(mnt.read("damonfs/truth/" + std::to_string(pid)));
    for (std::string line; std::getline(in, line);) {
      if (field(line, "region") == name)
        return {std::stoull(field(line, "start")), std::stoull(field(line, "end"))};
    }
    return {};
  }

  MountSession mnt;
  int pid = 0;
};

TEST_F(ControlMountTest, TheHottestTriedRegionsLieInTheTrueHotArea) {
  start_kdamond();
  const Range hot = truth("hot");
  ASSERT_GT(hot.end, hot.start);
  // Twenty aggregation intervals at the default 5 ms / 100 ms.
  std::this_thread::sleep_for(2s);
  ASSERT_EQ(mnt.write(kK0 + "/state", "update_schemes_tried_regions"), "ok");

  struct Tried {
    Range range;
    long long nr_accesses;
  };
  std::vector<Tried> tried;
  for (const std::string& name : mnt.list(kS0 + "/tried_regions")) {
    if (name == "total_bytes") continue;
    const std::string dir = kS0 + "/tried_regions/" + name;
    tried.push_back({{static_cast<unsigned long long>(mnt.number(dir + "/start")),
                      static_cast<unsigned long long>(mnt.number(dir + "/end"))},
                     mnt.number(dir + "/nr_accesses")});
  }
  ASSERT_GE(tried.size(), 3u);
  long long hottest = 0;
  for (const Tried& t : tried) hottest = std::max(hottest, t.nr_accesses);
  ASSERT_GT(hottest, 0);
  for (const Tried& t : tried) {
    if (t.nr_accesses != hottest) continue;
    EXPECT_TRUE(hot.contains(t.range))
        << "region [" << t.range.start << ", " << t.range.end << ") with " << hottest
        << " accesses is outside the hot area [" << hot.start << ", " << hot.end << ")";
  }
  // And the cold area, 7 times larger, is seen as colder everywhere.
  const Range cold = truth("cold");
  for (const Tried& t : tried) {
    if (cold.contains(t.range)) {
      EXPECT_LT(t.nr_accesses, hottest);
    }
  }
}

TEST_F(ControlMountTest, RefreshMsKeepsStatsMovingWithoutCommands) {
  start_kdamond("100");
  const std::string nr_tried = kS0 + "/stats/nr_tried";
  long long seen = 0;
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(eventually([&] { return mnt.number(nr_tried) > seen; }, 3s)) << round;
    seen = mnt.number(nr_tried);
  }
  EXPECT_GT(mnt.number(kS0 + "/stats/sz_tried"), 0);
}

TEST_F(ControlMountTest, KillingTheProcessTurnsTheKdamondOff) {
  start_kdamond();
  ASSERT_EQ(mnt.read(kK0 + "/state"), "on\n");
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_TRUE(eventually([&] { return mnt.read(kK0 + "/state") == "off\n"; }, 3s));
  EXPECT_EQ(mnt.read(kK0 + "/pid"), "-1\n");
  EXPECT_EQ(mnt.write(kK0 + "/state", "off"), "EPERM");
  EXPECT_NE(mnt.read("damonfs/processes").find("pid " + std::to_string(pid) + " alive no"),
            std::string::npos);
}

// The pids `pidof NAME` prints (host-wide: other mounts' kdamonds and the
// kernel's own may be among them).
std::vector<int> pidof(const std::string& name) {
  std::istringstream out(shell("pidof " + name));
  std::vector<int> pids;
  for (int p; out >> p;) pids.push_back(p);
  return pids;
}

bool has(const std::vector<int>& pids, int pid) {
  return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

// The thread group a task belongs to (/proc/PID/status), -1 when unknown.
int tgid_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Tgid:", 0) == 0) return std::stoi(line.substr(5));
  return -1;
}

// Debian's pidof matches a process whose argv[0] holds a space by its name,
// as it matches a kernel thread (empty command line): the daemon joins its
// arguments (fs/fuse/process_title.h), so the kdamond task, which shares
// its command line, is found as kdamond.0 and the daemon as damonfs.
TEST_F(ControlMountTest, PidofFindsTheKdamondTaskByItsName) {
  start_kdamond();
  const int kdamond = static_cast<int>(mnt.number(kK0 + "/pid"));
  ASSERT_GT(kdamond, 0);
  if (tgid_of(kdamond) != kdamond) GTEST_SKIP() << "kdamonds are threads in this build";
  EXPECT_TRUE(has(pidof("kdamond.0"), kdamond));
  const std::vector<int> damonfs = pidof("damonfs");
  EXPECT_TRUE(has(damonfs, mnt.daemon_pid()));
  EXPECT_FALSE(has(damonfs, kdamond));
  ASSERT_EQ(mnt.write(kK0 + "/state", "off"), "ok");
  EXPECT_FALSE(has(pidof("kdamond.0"), kdamond));
}

// What `fd` reads from offset 0 now, as a fresh read of the file would.
std::string pread_all(int fd) {
  char buf[4096];
  const ssize_t n = pread(fd, buf, sizeof(buf), 0);
  return n < 0 ? strerrorname_np(errno) : std::string(buf, static_cast<size_t>(n));
}

// Values the engine changes are never served stale: the very next read
// shows them, through a descriptor opened before the change as through a
// new one.
TEST_F(ControlMountTest, EngineChangesShowInTheVeryNextRead) {
  start_kdamond();
  const std::string nr_tried = kS0 + "/stats/nr_tried";
  const int stats_fd = open(mnt.path(nr_tried).c_str(), O_RDONLY);
  const int state_fd = open(mnt.path(kK0 + "/state").c_str(), O_RDONLY);
  ASSERT_GE(stats_fd, 0);
  ASSERT_GE(state_fd, 0);
  ASSERT_EQ(pread_all(stats_fd), "0\n");  // no update_schemes_stats yet
  // Updated until the kdamond has tried regions (its pace is the machine's):
  // a value served from a cache would stay at the first one read.
  std::string updated;
  ASSERT_TRUE(eventually([&] {
    if (mnt.write(kK0 + "/state", "update_schemes_stats") != "ok") return false;
    updated = pread_all(stats_fd);
    return updated != "0\n";
  }, 10s));
  EXPECT_EQ(mnt.read(nr_tried), updated);
  ASSERT_TRUE(eventually([&] {
    return mnt.write(kK0 + "/state", "update_schemes_stats") == "ok" &&
           std::stoll(pread_all(stats_fd)) > std::stoll(updated);
  }, 10s));
  EXPECT_EQ(mnt.read(nr_tried), pread_all(stats_fd));

  // The kdamond stops by itself once its only target is gone. Whichever
  // way a read first shows "off", every later read shows it too.
  ASSERT_EQ(pread_all(state_fd), "on\n");
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  bool off = false;
  for (auto end = std::chrono::steady_clock::now() + 3s;
       !off && std::chrono::steady_clock::now() < end;) {
    const std::string before = pread_all(state_fd);
    const std::string fresh = mnt.read(kK0 + "/state");
    const std::string after = pread_all(state_fd);
    if (before == "off\n") {
      EXPECT_EQ(fresh, "off\n");
    }
    if (fresh == "off\n") {
      EXPECT_EQ(after, "off\n");
    }
    off = after == "off\n";
  }
  EXPECT_TRUE(off) << "the kdamond did not stop within 3 s";
  close(stats_fd);
  close(state_fd);
}

// While a state command waits for the kdamond, the kernel holds the sysfs
// lock and answers any other store to `state` at once with EBUSY.
TEST_F(ControlMountTest, ASecondWriterGetsEbusyAtOnce) {
  // A tried-regions update waits for the scheme's next apply round.
  start_kdamond("0", "3000000");
  const std::string state = mnt.path(kK0 + "/state");
  const int opened_before = open(state.c_str(), O_WRONLY);
  ASSERT_GE(opened_before, 0);
  // The read errno of `state`, 0 when it reads.
  auto read_errno = [&] {
    const int fd = open(state.c_str(), O_RDONLY);
    char buf[16];
    const int err = fd < 0 || ::read(fd, buf, sizeof(buf)) < 0 ? errno : 0;
    if (fd >= 0) close(fd);
    return err;
  };
  std::string first;
  std::thread waiter([&] { first = mnt.write(kK0 + "/state", "update_schemes_tried_regions"); });
  // The command holds the lock until its apply round: state reads EBUSY.
  ASSERT_TRUE(eventually([&] { return read_errno() == EBUSY; }, 2s));
  // A signal that does not kill the writer leaves its write waiting.
  struct sigaction ignore {};
  ignore.sa_handler = [](int) {};
  ASSERT_EQ(sigaction(SIGUSR1, &ignore, nullptr), 0);
  ASSERT_EQ(pthread_kill(waiter.native_handle(), SIGUSR1), 0);

  // As a shell's `echo off > state`: open(O_TRUNC), write. Answered while
  // the first command still waits (checked below), so not queued behind it.
  EXPECT_EQ(mnt.write(kK0 + "/state", "off"), "EBUSY");
  // Through a descriptor opened before the command: the write itself fails.
  const ssize_t n = ::write(opened_before, "off", 3);
  const int err = errno;
  EXPECT_EQ(n, -1);
  EXPECT_EQ(err, EBUSY);
  EXPECT_EQ(read_errno(), EBUSY);  // the first command still runs

  waiter.join();
  EXPECT_EQ(first, "ok");
  EXPECT_EQ(mnt.read(kK0 + "/state"), "on\n");
  close(opened_before);
}

// A command may wait for good (an apply interval of 2^64-1 us): its writer
// must still die when killed.
TEST_F(ControlMountTest, AWriterWaitingForAnApplyRoundCanBeKilled) {
  start_kdamond("0", "18446744073709551615");
  const std::string state = mnt.path(kK0 + "/state");
  const pid_t writer = fork();
  if (writer == 0) {
    const int fd = open(state.c_str(), O_WRONLY | O_TRUNC);
    const char command[] = "update_schemes_tried_regions";
    _exit(fd >= 0 && ::write(fd, command, sizeof(command) - 1) > 0 ? 0 : 1);
  }
  ASSERT_GT(writer, 0);
  ASSERT_TRUE(eventually([&] { return mnt.read(kK0 + "/state").empty(); }, 2s));  // EBUSY
  ASSERT_EQ(kill(writer, SIGKILL), 0);
  int status = 0;
  EXPECT_TRUE(eventually([&] { return waitpid(writer, &status, WNOHANG) == writer; }, 2s));
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  // The command itself still holds the sysfs lock, as the kernel's would.
  EXPECT_EQ(mnt.write(kK0 + "/state", "off"), "EBUSY");
}

TEST_F(ControlMountTest, DamonfsDescribesTheSimulatedMachine) {
  EXPECT_EQ(mnt.list(""), (Strings{"admin", "damonfs"}));
  EXPECT_EQ(mnt.list("damonfs"),
            (Strings{"clock", "machine", "nodes", "perf", "processes", "sampler", "trace", "tracing",
                     "truth"}));
  // The default mount runs in real time; its clock takes no writes.
  EXPECT_NE(mnt.read("damonfs/clock").find(" mode wall speed 1 "), std::string::npos);
  EXPECT_EQ(mnt.write("damonfs/clock", "1s"), "EACCES");
  EXPECT_EQ(mnt.read("damonfs/machine"), "sim\n");
  EXPECT_EQ(mnt.read("damonfs/sampler").substr(0, 4), "sim\n");
  const std::string nodes = mnt.read("damonfs/nodes");
  EXPECT_EQ(field(nodes, "node"), "0");
  EXPECT_EQ(field(nodes, "total"), std::to_string(4ULL << 30));
  const Strings pids = mnt.list("damonfs/truth");
  EXPECT_NE(std::find(pids.begin(), pids.end(), std::to_string(pid)), pids.end());
  EXPECT_EQ(truth("hot").end - truth("hot").start, 64ULL << 20);
  EXPECT_EQ(mnt.write("damonfs/machine", "host"), "EACCES");
}

}  // namespace
}  // namespace damonfs::test
