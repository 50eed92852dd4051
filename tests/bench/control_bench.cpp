// Latency of the `state` commands that wait for a kdamond, on a damonfs
// mount and, inside the throwaway VM, on that VM kernel's DAMON sysfs in the
// same run (DESIGN.md "Budgets"):
//   * on, commit, update_schemes_stats: damonfs no slower than the kernel
//     (median against median);
//   * update_schemes_tried_regions, asked again as soon as the previous one
//     returned (so each waits for a whole apply round, like damo polling):
//     median no slower than the kernel's, and the wait for the apply round
//     it reports, that is the median less the command's own round trip
//     (update_schemes_stats, the same path with no wait), within one apply
//     interval (the aggregation interval here: 100 ms). Also shown, without
//     a budget: the same command asked at a random moment.
// Both sides run one paddr kdamond over the physical range 4-5 GiB with one
// `stat` scheme matching every region, at the default intervals. Each
// command is timed as `echo CMD > state` does it: open, write, close.
//
// The kernel of a development or CI machine is never written: its DAMON
// belongs to the machine. The kernel columns come from a guest of
// ../shared/vmtest (tests/bench/control_bench_vm.sh), which boots with
// `damonfs.vm_bench` on its command line; --kernel-admin is refused on any
// kernel booted without it, and on a DAMON that already has kdamonds. The
// recorded guest runs are kept in tests/bench/recorded/. Elsewhere damonfs
// is measured alone and held to its own budget (the apply-round wait).
//
// Usage: control_bench [--rounds N] [--kernel-admin DIR]   (default 20 rounds)
// Exits 1 when a budget is missed, 2 when it cannot measure.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/mount/mount_session.h"

namespace {

using namespace std::chrono_literals;
using Millis = std::chrono::duration<double, std::milli>;

constexpr const char* kVmBootFlag = "damonfs.vm_bench";
constexpr double kApplyIntervalMs = 100;  // aggr_us default: the stat scheme's apply interval

// --- files, the way a shell uses them ---------------------------------------

// `echo -n data > path`: 0 or errno.
int put(const std::string& path, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) return errno;
  const ssize_t n = write(fd, data.data(), data.size());
  const int err = n < 0 ? errno : 0;
  close(fd);
  return err;
}

std::string get(const std::string& path) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s;
}

void must_put(const std::string& path, const std::string& data) {
  if (int err = put(path, data))
    throw std::runtime_error(path + " <- " + data + ": " + std::strerror(err));
}

// Directories in `dir` (Linux 6.18 names tried regions 1, 3, 5...: count them).
size_t subdirectories(const std::string& dir) {
  size_t n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) n += e->d_type == DT_DIR && e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

// --- one DAMON sysfs tree under test --------------------------------------

struct Samples {
  std::vector<double> ms;

  double percentile(double p) const {
    if (ms.empty()) return 0;
    std::vector<double> s = ms;
    std::sort(s.begin(), s.end());
    return s[std::min(s.size() - 1, static_cast<size_t>(p * static_cast<double>(s.size())))];
  }
  double median() const { return percentile(0.5); }
};

struct Latencies {
  Samples on, commit, stats, tried;
  // Asked at a random moment of the apply interval rather than right after
  // the previous walk: what a command at an arbitrary time waits.
  Samples tried_any_time;
  size_t tried_regions = 0;  // regions the last walk reported, as a sanity check
};

class Admin {
 public:
  explicit Admin(std::string root) : root_(std::move(root)) {}

  std::string at(const std::string& rel) const { return root_ + "/" + rel; }

  // One kdamond, one paddr context over 4-5 GiB, one stat scheme that
  // matches every region; default intervals.
  void stage() const {
    must_put(at("kdamonds/nr_kdamonds"), "1");
    const std::string c = "kdamonds/0/contexts/0/";
    must_put(at("kdamonds/0/contexts/nr_contexts"), "1");
    must_put(at(c + "operations"), "paddr");
    must_put(at(c + "targets/nr_targets"), "1");
    must_put(at(c + "targets/0/regions/nr_regions"), "1");
    must_put(at(c + "targets/0/regions/0/start"), std::to_string(4ULL << 30));
    must_put(at(c + "targets/0/regions/0/end"), std::to_string(5ULL << 30));
    must_put(at(c + "schemes/nr_schemes"), "1");
    must_put(at(c + "schemes/0/action"), "stat");
    for (const char* range : {"sz", "nr_accesses", "age"})
      must_put(at(c + "schemes/0/access_pattern/" + range + "/max"), "18446744073709551615");
  }

  // Every kdamond off, then none at all.
  void stop_all() const {
    const long n = std::strtol(get(at("kdamonds/nr_kdamonds")).c_str(), nullptr, 10);
    for (long k = 0; k < n; ++k) {
      const std::string state = at("kdamonds/" + std::to_string(k) + "/state");
      if (get(state) == "on\n") put(state, "off");
    }
    put(at("kdamonds/nr_kdamonds"), "0");
  }

  // The time `echo cmd > state` takes; throws when it fails.
  double timed(const std::string& cmd) const {
    const auto start = std::chrono::steady_clock::now();
    const int err = put(at("kdamonds/0/state"), cmd);
    const double ms = Millis(std::chrono::steady_clock::now() - start).count();
    if (err) throw std::runtime_error(root_ + ": " + cmd + ": " + std::strerror(err));
    return ms;
  }

  Latencies measure(int rounds) const {
    Latencies l;
    stage();
    for (int i = 0; i < rounds; ++i) {
      l.on.ms.push_back(timed("on"));
      // Let it settle into its loop, as a user's next command would.
      std::this_thread::sleep_for(20ms);
      timed("off");
    }
    timed("on");
    std::this_thread::sleep_for(300ms);  // a few aggregations: regions to report
    for (int i = 0; i < rounds * 2; ++i) l.commit.ms.push_back(timed("commit"));
    for (int i = 0; i < rounds * 2; ++i) l.stats.ms.push_back(timed("update_schemes_stats"));
    for (int i = 0; i < rounds; ++i) l.tried.ms.push_back(timed("update_schemes_tried_regions"));
    std::mt19937 rng(1);
    for (int i = 0; i < rounds; ++i) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 100000));
      l.tried_any_time.ms.push_back(timed("update_schemes_tried_regions"));
    }
    l.tried_regions = subdirectories(at("kdamonds/0/contexts/0/schemes/0/tried_regions"));
    timed("off");
    stop_all();
    return l;
  }

 private:
  std::string root_;
};

// --- the kernel's: only a throwaway guest's ------------------------------

// Whether this kernel was booted by control_bench_vm.sh, the one place whose
// DAMON is ours to write.
bool booted_for_the_bench() {
  const std::string cmdline = get("/proc/cmdline");
  size_t at = 0;
  while ((at = cmdline.find(kVmBootFlag, at)) != std::string::npos) {
    const size_t end = at + std::strlen(kVmBootFlag);
    const bool word_start = at == 0 || cmdline[at - 1] == ' ';
    const bool word_end = end == cmdline.size() || cmdline[end] == ' ' || cmdline[end] == '=' ||
                          cmdline[end] == '\n';
    if (word_start && word_end) return true;
    at = end;
  }
  return false;
}

// Throws unless `admin_dir` is a guest kernel's DAMON with nothing running.
void check_kernel_is_ours(const std::string& admin_dir) {
  if (!booted_for_the_bench())
    throw std::runtime_error("--kernel-admin is for the vmtest guest only (no " +
                             std::string(kVmBootFlag) +
                             " on the kernel command line): this machine's DAMON is not ours; "
                             "run tests/bench/control_bench_vm.sh");
  if (get(admin_dir + "/kdamonds/nr_kdamonds") != "0\n")
    throw std::runtime_error(admin_dir + " already has kdamonds: not ours to stop");
}

Latencies measure_kernel(const std::string& admin_dir, int rounds) {
  check_kernel_is_ours(admin_dir);
  Admin kernel(admin_dir);
  try {
    return kernel.measure(rounds);
  } catch (...) {
    kernel.stop_all();  // never leave a kdamond behind
    throw;
  }
}

// --- report ----------------------------------------------------------------

struct Options {
  int rounds = 20;
  std::string kernel_admin;  // empty: damonfs alone
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) {
      o.rounds = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--kernel-admin" && i + 1 < argc) {
      o.kernel_admin = argv[++i];
    } else {
      throw std::runtime_error("usage: control_bench [--rounds N] [--kernel-admin DIR]");
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  Latencies ours;
  std::optional<Latencies> kernel;
  try {
    opt = parse(argc, argv);
    if (!opt.kernel_admin.empty()) check_kernel_is_ours(opt.kernel_admin);
    {
      const damonfs::test::MountSession mount;
      if (!mount.ready()) throw std::runtime_error("damonfs did not mount");
      ours = Admin(mount.path("admin")).measure(opt.rounds);
    }
    if (!opt.kernel_admin.empty()) kernel = measure_kernel(opt.kernel_admin, opt.rounds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "control_bench: %s\n", e.what());
    return 2;
  }

  struct Row {
    const char* name;
    const Samples& ours;
    const Samples* kernel;
  };
  const Row rows[] = {
      {"on", ours.on, kernel ? &kernel->on : nullptr},
      {"commit", ours.commit, kernel ? &kernel->commit : nullptr},
      {"update_schemes_stats", ours.stats, kernel ? &kernel->stats : nullptr},
      {"update_schemes_tried_regions", ours.tried, kernel ? &kernel->tried : nullptr},
      {"  ... asked at a random moment", ours.tried_any_time,
       kernel ? &kernel->tried_any_time : nullptr},
  };
  std::printf("state command latency, ms (open+write+close), %d rounds; kernel: %s\n", opt.rounds,
              kernel ? "this guest's, same run" : "not measured (see tests/bench/recorded/)");
  std::printf("%-30s %9s %9s %9s %9s %9s\n", "", "damonfs", "p90", "kernel", "p90", "ratio");
  bool ok = true;
  for (const Row& r : rows) {
    std::printf("%-30s %9.3f %9.3f", r.name, r.ours.median(), r.ours.percentile(0.9));
    if (r.kernel) {
      const double ratio = r.ours.median() / r.kernel->median();
      std::printf(" %9.3f %9.3f %9.2f", r.kernel->median(), r.kernel->percentile(0.9), ratio);
      // The random-moment row has no budget: its wait depends on the moment.
      if (&r.ours != &ours.tried_any_time && ratio > 1.0) {
        std::printf("  <- slower than the kernel");
        ok = false;
      }
    }
    std::printf("\n");
  }
  std::printf("tried regions reported: damonfs %zu", ours.tried_regions);
  if (kernel) std::printf(", kernel %zu", kernel->tried_regions);
  std::printf("\n");

  const double wait = ours.tried.median() - ours.stats.median();
  std::printf("update_schemes_tried_regions: wait for the apply round %.3f ms (apply interval %.0f ms)\n",
              wait, kApplyIntervalMs);
  if (wait > kApplyIntervalMs) {
    std::printf("  <- longer than one apply interval\n");
    ok = false;
  }
  if (ours.tried_regions == 0) {
    std::printf("damonfs reported no tried regions\n");
    ok = false;
  }
  std::printf("%s\n", ok ? "budgets met" : "BUDGET MISSED");
  return ok ? 0 : 1;
}
