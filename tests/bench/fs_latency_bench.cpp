// How fast the mount answers, against budgets that are ratios within one run
// (DESIGN.md "Budgets"):
//
// 1. open+read+close and open+write+close of an attribute file
//    (contexts/0/monitoring_attrs/intervals/sample_us) on damonfs, against
//    the same on a null libfuse3 server (null_fuse_server.h) mounted beside
//    it, and against a read of the kernel's own sysfs file
//    (admin/kdamonds/nr_kdamonds; read only). Budget: damonfs p50 <= 1.25 x
//    the null server's, for reads and for writes.
// 2. A damo-style read of a whole kdamond tree (recursive listing, every
//    file read to EOF) on damonfs, against the same read of the kernel's
//    DAMON sysfs: the kdamonds the machine runs, read only (never staged:
//    kernel_damon_tree.h); damonfs is given the same shape. Without kernel
//    kdamonds the comparison is skipped. Budget: damonfs p50 <= 3 x the
//    kernel's.
//
// The systems are measured in rounds that interleave them (the order
// rotating every round), so that noise on a busy machine falls on all of
// them alike. Reads go to EOF like cat and damo: two read() calls. The
// benchmark and both servers run on one CPU (unless --no-pin): a FUSE round
// trip is then two context switches, where across CPUs it would cost two
// wake-ups of an idle CPU, which on a virtual machine take tens of
// microseconds or not depending on where the scheduler put each process.
// Exits 1 when a budget is missed, 2 when it cannot measure.
//
//   fs_latency_bench [--rounds N] [--ops N] [--no-kernel-tree] [--no-pin]
//                    [--damonfs BINARY]
//
// --damonfs measures another damonfs binary (a before/after comparison).
#include <dirent.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/bench/kernel_damon_tree.h"
#include "tests/bench/latency_samples.h"
#include "tests/bench/null_fuse_server.h"
#include "tests/mount/mount_session.h"

namespace damonfs::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr double kAttrBudget = 1.25;
constexpr double kTreeBudget = 3.0;
constexpr char kSampleUs[] = "kdamonds/0/contexts/0/monitoring_attrs/intervals/sample_us";
constexpr char kWritten[] = "5000\n";

// Thrown, not exited, so that the kernel's DAMON tree and the mounts are
// always taken down (destructors).
[[noreturn]] void die(const std::string& why) { throw std::runtime_error(why); }

using damonfs::test::is_mounted;

// A server process and the temporary directory it serves; stopped with
// SIGTERM (both servers unmount on it) and cleaned up on destruction.
class ServedMount {
 public:
  ServedMount(const char* tag, const std::function<pid_t(const std::string&)>& start) {
    std::string tmpl = std::string("/tmp/fs-bench-") + tag + "-XXXXXX";
    if (!mkdtemp(tmpl.data())) die("mkdtemp failed");
    dir_ = tmpl;
    pid_ = start(dir_);
    for (auto deadline = Clock::now() + 10s; Clock::now() < deadline && !is_mounted(dir_);)
      std::this_thread::sleep_for(10ms);
    if (pid_ < 0 || !is_mounted(dir_)) die(std::string(tag) + " did not mount on " + dir_);
  }
  ServedMount(const ServedMount&) = delete;
  ServedMount& operator=(const ServedMount&) = delete;

  ~ServedMount() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    rmdir(dir_.c_str());
  }

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

pid_t start_damonfs(const std::string& binary, const std::string& mountpoint) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    execl(binary.c_str(), binary.c_str(), "--abi", "6.18", "-f", mountpoint.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

std::chrono::nanoseconds time_read(const std::string& file) {
  char buf[4096];
  const auto t0 = Clock::now();
  int fd = open(file.c_str(), O_RDONLY);
  if (fd < 0) die("cannot open " + file + ": " + std::strerror(errno));
  ssize_t total = 0;
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) total += n;
  close(fd);
  const auto t1 = Clock::now();
  if (total <= 0) die("nothing read from " + file);
  return t1 - t0;
}

// Like `echo 5000 > file`.
std::chrono::nanoseconds time_write(const std::string& file) {
  const auto t0 = Clock::now();
  int fd = open(file.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) die("cannot open " + file + ": " + std::strerror(errno));
  ssize_t n = write(fd, kWritten, sizeof(kWritten) - 1);
  close(fd);
  const auto t1 = Clock::now();
  if (n != sizeof(kWritten) - 1) die("write to " + file + " failed");
  return t1 - t0;
}

struct TreeCount {
  size_t dirs = 0;
  size_t files = 0;
  size_t bytes = 0;
};

// What damo does to learn a kdamond tree: list every directory, read every
// file.
void read_tree(const std::string& dir, TreeCount& count) {
  DIR* d = opendir(dir.c_str());
  if (!d) die("cannot list " + dir);
  ++count.dirs;
  std::vector<std::pair<std::string, bool>> entries;
  while (dirent* e = readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    entries.emplace_back(name, e->d_type == DT_DIR);
  }
  closedir(d);
  for (const auto& [name, is_dir] : entries) {
    const std::string path = dir + "/" + name;
    if (is_dir) {
      read_tree(path, count);
      continue;
    }
    ++count.files;
    char buf[4096];
    int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) die("cannot open " + path);
    for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) count.bytes += static_cast<size_t>(n);
    close(fd);
  }
}

// One system's measurements: each op, repeated per round.
struct System {
  std::string name;
  std::function<std::chrono::nanoseconds()> op;
  Samples samples;
};

// Runs every system's op `per_round` times per round, for `rounds` rounds
// (plus one warm-up round that is not kept), rotating the order.
void interleave(std::vector<System*> systems, int rounds, int per_round) {
  for (int r = -1; r < rounds; ++r) {
    for (size_t k = 0; k < systems.size(); ++k) {
      System& s = *systems[(k + static_cast<size_t>(r + 1)) % systems.size()];
      for (int i = 0; i < per_round; ++i) {
        std::chrono::nanoseconds t = s.op();
        if (r >= 0) s.samples.add(t);
      }
    }
  }
}

bool verdict(const char* what, double ratio, double budget) {
  const bool pass = ratio <= budget;
  std::printf("%-34s %6.2f  (budget %.2f)  %s\n", what, ratio, budget, pass ? "PASS" : "FAIL");
  return pass;
}

struct Options {
  int rounds = 40;
  int ops = 200;
  bool kernel_tree = true;
  bool pin = true;
  std::string damonfs = DAMONFS_BINARY;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--rounds" && i + 1 < argc) {
      o.rounds = std::atoi(argv[++i]);
    } else if (a == "--ops" && i + 1 < argc) {
      o.ops = std::atoi(argv[++i]);
    } else if (a == "--no-kernel-tree") {
      o.kernel_tree = false;
    } else if (a == "--no-pin") {
      o.pin = false;
    } else if (a == "--damonfs" && i + 1 < argc) {
      o.damonfs = argv[++i];
    } else {
      die("usage: fs_latency_bench [--rounds N] [--ops N] [--no-kernel-tree] [--no-pin] "
          "[--damonfs BINARY]");
    }
  }
  if (o.rounds < 1 || o.ops < 1) die("--rounds and --ops must be positive");
  return o;
}

// Runs this process, and the servers it forks, on the first CPU it may use.
void pin_to_one_cpu() {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) die("sched_getaffinity failed");
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one) != 0) die("sched_setaffinity failed");
    std::printf("pinned to CPU %d\n", cpu);
    return;
  }
}

int run(const Options& opt) {
  if (opt.pin) pin_to_one_cpu();
  ServedMount damonfs("damonfs",
                      [&](const std::string& dir) { return start_damonfs(opt.damonfs, dir); });
  ServedMount null("null", start_null_server);
  const std::string admin = damonfs.dir() + "/admin";
  for (const auto& [file, value] : one_of_everything())
    if (!write_file(admin + "/" + file, value)) die("damonfs refused " + value + " > " + file);

  const std::string dfs_attr = admin + "/" + kSampleUs;
  const std::string null_attr = null.dir() + "/" + kNullFileName;
  const std::string sysfs_attr = std::string(kKernelAdmin) + "/kdamonds/nr_kdamonds";
  const bool have_sysfs = access(sysfs_attr.c_str(), R_OK) == 0;

  System dfs_read{"damonfs", [&] { return time_read(dfs_attr); }, {}};
  System null_read{"null FUSE server", [&] { return time_read(null_attr); }, {}};
  System sysfs_read{"kernel sysfs", [&] { return time_read(sysfs_attr); }, {}};
  std::vector<System*> readers = {&dfs_read, &null_read};
  if (have_sysfs) readers.push_back(&sysfs_read);
  interleave(readers, opt.rounds, opt.ops);

  System dfs_write{"damonfs", [&] { return time_write(dfs_attr); }, {}};
  System null_write{"null FUSE server", [&] { return time_write(null_attr); }, {}};
  interleave({&dfs_write, &null_write}, opt.rounds, opt.ops);

  std::printf("attribute file latency, us (%d rounds x %d ops, interleaved)\n", opt.rounds,
              opt.ops);
  std::printf("%-18s %16s %16s\n", "", "open+read+close", "open+write+close");
  std::printf("%-18s %8s %7s %8s %7s\n", "", "p50", "p90", "p50", "p90");
  auto row = [](System& r, System* w) {
    std::printf("%-18s %8.2f %7.2f", r.name.c_str(), r.samples.quantile_us(0.5),
                r.samples.quantile_us(0.9));
    if (w)
      std::printf(" %8.2f %7.2f\n", w->samples.quantile_us(0.5), w->samples.quantile_us(0.9));
    else
      std::printf(" %8s %7s\n", "-", "-");
  };
  row(dfs_read, &dfs_write);
  row(null_read, &null_write);
  if (have_sysfs) row(sysfs_read, nullptr);

  bool pass = true;
  pass &= verdict("read p50, damonfs / null", dfs_read.samples.quantile_us(0.5) /
                                                  null_read.samples.quantile_us(0.5),
                  kAttrBudget);
  pass &= verdict("write p50, damonfs / null", dfs_write.samples.quantile_us(0.5) /
                                                   null_write.samples.quantile_us(0.5),
                  kAttrBudget);
  if (have_sysfs)
    std::printf("%-34s %6.2f\n", "read p50, damonfs / kernel sysfs",
                dfs_read.samples.quantile_us(0.5) / sysfs_read.samples.quantile_us(0.5));

  std::string why = "--no-kernel-tree";
  std::optional<std::string> kernel =
      opt.kernel_tree ? kernel_admin_with_kdamonds(why) : std::nullopt;
  // damonfs gets the shape of the kernel's kdamonds.
  if (kernel && !copy_shape(*kernel, admin, why)) die(why);
  TreeCount dfs_count;
  read_tree(admin, dfs_count);
  std::printf("\nwhole-tree read (%s: %zu dirs, %zu files)\n",
              kernel ? "the kernel's kdamonds, copied" : "one kdamond, one of everything",
              dfs_count.dirs, dfs_count.files);
  auto tree_reader = [](std::string name, std::string root) {
    return System{std::move(name),
                  [root] {
                    TreeCount c;
                    auto t0 = Clock::now();
                    read_tree(root, c);
                    return Clock::now() - t0;
                  },
                  {}};
  };
  System dfs_tree = tree_reader("damonfs", admin);
  System kernel_tree = tree_reader("kernel sysfs", kKernelAdmin);
  std::vector<System*> trees = {&dfs_tree};
  if (kernel) {
    TreeCount kernel_count;
    read_tree(kKernelAdmin, kernel_count);
    if (kernel_count.dirs != dfs_count.dirs || kernel_count.files != dfs_count.files)
      std::printf("warning: the kernel's tree differs: %zu dirs, %zu files\n", kernel_count.dirs,
                  kernel_count.files);
    trees.push_back(&kernel_tree);
  }
  const int tree_rounds = std::max(5, opt.rounds / 2);
  interleave(trees, tree_rounds, 4);
  std::printf("%-18s %8s %7s   (ms, %d rounds x 4 reads)\n", "", "p50", "p90", tree_rounds);
  for (System* s : trees)
    std::printf("%-18s %8.3f %7.3f\n", s->name.c_str(), s->samples.quantile_us(0.5) / 1000,
                s->samples.quantile_us(0.9) / 1000);
  if (trees.size() == 1) {
    std::printf("kernel sysfs tree read skipped: %s\n", why.c_str());
  } else {
    pass &= verdict("tree read p50, damonfs / kernel", dfs_tree.samples.quantile_us(0.5) /
                                                          kernel_tree.samples.quantile_us(0.5),
                    kTreeBudget);
  }
  std::printf("%s\n", pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace damonfs::bench

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  try {
    return damonfs::bench::run(damonfs::bench::parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fs_latency_bench: %s\n", e.what());
    return 2;
  }
}
