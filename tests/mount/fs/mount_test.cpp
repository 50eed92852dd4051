// The real damonfs binary mounted on a temporary directory, driven with
// plain system calls: what a shell, damo or the conformance probe sees.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/mount/mount_session.h"

namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

using damonfs::test::is_mounted;

// Runs a program and waits for it; its exit status, or -1.
int run(std::vector<std::string> argv) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// One damonfs process serving one temporary mount point.
class Mount {
 public:
  explicit Mount(std::vector<std::string> extra = {"--abi", "6.18"}) {
    char tmpl[] = "/tmp/damonfs-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::vector<std::string> argv = {DAMONFS_BINARY, "-f"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(dir_);
    pid_ = fork();
    if (pid_ == 0) {
      // Should the test die, the daemon is told to unmount and exit.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline && !is_mounted(dir_);)
      std::this_thread::sleep_for(10ms);
  }

  ~Mount() {
    if (is_mounted(dir_)) run({"fusermount3", "-u", dir_});
    if (pid_ > 0 && !wait_exit(10s)) {
      kill(pid_, SIGKILL);
      wait_exit(10s);
      if (is_mounted(dir_)) run({"umount", "-l", dir_});
    }
    rmdir(dir_.c_str());
  }

  bool mounted() const { return is_mounted(dir_); }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  std::string at(const std::string& rel) const { return dir_ + "/admin/" + rel; }

  // True once the daemon exited (reaped), within `timeout`.
  bool wait_exit(std::chrono::milliseconds timeout) {
    for (auto deadline = std::chrono::steady_clock::now() + timeout;;) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
        return true;
      }
      if (r < 0 || std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
  }
  int exit_status() const { return exit_status_; }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

std::string err_name(int e) { return std::string("!") + strerrorname_np(e); }

// Like `echo -n data > file`: open(O_WRONLY|O_TRUNC), one write(), close.
std::string write_file(const std::string& file, const std::string& data) {
  int fd = open(file.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) return err_name(errno) + "@open";
  ssize_t n = write(fd, data.data(), data.size());
  int e = errno;
  close(fd);
  if (n < 0) return err_name(e) + "@write";
  return n == static_cast<ssize_t>(data.size()) ? "ok" : "ok:" + std::to_string(n);
}

std::string read_fd(int fd) {
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) != 0;) {
    if (n < 0) return err_name(errno) + "@read";
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string read_file(const std::string& file) {
  int fd = open(file.c_str(), O_RDONLY);
  if (fd < 0) return err_name(errno) + "@open";
  std::string out = read_fd(fd);
  close(fd);
  return out;
}

Strings list(const std::string& dir) {
  Strings names;
  DIR* d = opendir(dir.c_str());
  if (!d) return {err_name(errno)};
  while (dirent* e = readdir(d)) names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string stat_error(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? "ok" : err_name(errno);
}

class MountTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mount_ = new Mount(); }
  static void TearDownTestSuite() {
    delete mount_;
    mount_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(mount_->mounted()) << "damonfs did not mount " << mount_->dir();
    ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "0"), "ok");
  }
  static std::string at(const std::string& rel) { return mount_->at(rel); }

  static Mount* mount_;
};

Mount* MountTest::mount_ = nullptr;

TEST_F(MountTest, RootHoldsAdminWithSysfsModesAndSizes) {
  // damonfs/ beside admin/ describes the machine (MachineInfo).
  EXPECT_EQ(list(mount_->dir()), (Strings{".", "..", "admin", "damonfs"}));
  struct stat st {};
  ASSERT_EQ(::stat(at("kdamonds").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(st.st_size, 0);
  EXPECT_EQ(st.st_uid, getuid());
  ASSERT_EQ(::stat(at("kdamonds/nr_kdamonds").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 4096);
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  ASSERT_EQ(::stat(at("kdamonds/0/pid").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0400u);
  EXPECT_EQ(read_file(at("kdamonds/0/pid")), "-1\n");
}

TEST_F(MountTest, NrWritesShowAtOnce) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "3"), "ok");
  EXPECT_EQ(list(at("kdamonds")), (Strings{".", "..", "0", "1", "2", "nr_kdamonds"}));
  EXPECT_EQ(stat_error(at("kdamonds/2/contexts/nr_contexts")), "ok");
  ASSERT_EQ(write_file(at("kdamonds/2/refresh_ms"), "5"), "ok");
  // The kernel cached kdamonds/2 and below; the write must have dropped it.
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  EXPECT_EQ(stat_error(at("kdamonds/2")), "!ENOENT");
  EXPECT_EQ(stat_error(at("kdamonds/2/refresh_ms")), "!ENOENT");
  EXPECT_EQ(list(at("kdamonds")), (Strings{".", "..", "0", "nr_kdamonds"}));
  struct stat st {};
  ASSERT_EQ(::stat(at("kdamonds").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 3u);
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "3"), "ok");
  EXPECT_EQ(read_file(at("kdamonds/2/refresh_ms")), "0\n");
  ASSERT_EQ(::stat(at("kdamonds").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 5u);
}

// The kernel keeps directory listings (damonfs lists without opendir): a
// rebuild that keeps the names must still show the new directories, and
// the directory's mtime moves with each change of its entries.
TEST_F(MountTest, CachedListingsFollowRebuilds) {
  auto inodes = [](const std::string& dir) {
    std::vector<std::pair<std::string, ino_t>> out;
    DIR* d = opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = readdir(d)) out.emplace_back(e->d_name, e->d_ino);
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
  };
  auto mtime = [](const std::string& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return std::pair(st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  };
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "2"), "ok");
  const auto before = inodes(at("kdamonds"));
  const auto listed_again = inodes(at("kdamonds"));
  EXPECT_EQ(listed_again, before);
  const auto changed_at = mtime(at("kdamonds"));
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "2"), "ok");
  const auto after = inodes(at("kdamonds"));
  ASSERT_EQ(after.size(), before.size());
  EXPECT_NE(after, before);  // same names, new kdamond directories
  EXPECT_NE(mtime(at("kdamonds")), changed_at);
  for (const auto& [name, ino] : after) {
    if (name != "0" && name != "1") continue;
    struct stat st {};
    ASSERT_EQ(::stat(at("kdamonds/" + name).c_str(), &st), 0);
    EXPECT_EQ(st.st_ino, ino) << name;
  }
}

TEST_F(MountTest, AnOpenFileOfARemovedDirectoryFailsWithEnodev) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  int fd = open(at("kdamonds/0/refresh_ms").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  char buf[16];
  EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), -1);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_EQ(pwrite(fd, "1", 1, 0), -1);
  EXPECT_EQ(errno, ENODEV);
  close(fd);
}

TEST_F(MountTest, StoresReportKernelErrnoAndPageLimits) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  ASSERT_EQ(write_file(at("kdamonds/0/contexts/nr_contexts"), "1"), "ok");
  const std::string sample = at("kdamonds/0/contexts/0/monitoring_attrs/intervals/sample_us");
  EXPECT_EQ(write_file(at("kdamonds/nr_kdamonds"), "abc"), "!EINVAL@write");
  EXPECT_EQ(write_file(at("kdamonds/nr_kdamonds"), "2147483648"), "!ERANGE@write");
  EXPECT_EQ(write_file(at("kdamonds/0/contexts/nr_contexts"), "2"), "!EINVAL@write");
  EXPECT_EQ(write_file(sample, std::string(4095, '0') + "7"), "ok");
  EXPECT_EQ(read_file(sample), "7\n");
  EXPECT_EQ(write_file(sample, std::string(8191, '0') + "7"), "ok:4096");
  EXPECT_EQ(read_file(sample), "0\n");
  EXPECT_EQ(write_file(at("kdamonds/0/state"), "bogus"), "!EINVAL@write");
  // A vaddr context without targets starts, and stops by itself at once,
  // as the kernel's kdamond does when it has no valid target.
  EXPECT_EQ(write_file(at("kdamonds/0/state"), "on"), "ok");
  for (int i = 0; i < 200 && read_file(at("kdamonds/0/state")) != "off\n"; ++i) usleep(10000);
  EXPECT_EQ(read_file(at("kdamonds/0/state")), "off\n");
  EXPECT_EQ(write_file(at("kdamonds/0/state"), "off"), "!EPERM@write");
}

TEST_F(MountTest, OneDescriptorSeesEveryNewValue) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  int fd = open(at("kdamonds/0/refresh_ms").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char buf[32] = {};
  for (const char* v : {"10", "2000"}) {
    ASSERT_EQ(pwrite(fd, v, strlen(v), 0), static_cast<ssize_t>(strlen(v)));
    ssize_t n = pread(fd, buf, sizeof(buf), 0);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), std::string(v) + "\n");
  }
  close(fd);
}

TEST_F(MountTest, ReadsInChunksAndAtOffsets) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  ASSERT_EQ(write_file(at("kdamonds/0/contexts/nr_contexts"), "1"), "ok");
  const std::string ops = at("kdamonds/0/contexts/0/avail_operations");
  int fd = open(ops.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::string chunked;
  char c;
  while (read(fd, &c, 1) == 1) chunked.push_back(c);
  EXPECT_EQ(chunked, "vaddr\nfvaddr\npaddr\n");
  char buf[64];
  ssize_t n = pread(fd, buf, sizeof(buf), 3);
  ASSERT_GE(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "dr\nfvaddr\npaddr\n");
  EXPECT_EQ(pread(fd, buf, sizeof(buf), 100), 0);
  close(fd);
}

TEST_F(MountTest, ReadOnlyFilesCannotBeOpenedForWriting) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  EXPECT_EQ(write_file(at("kdamonds/0/pid"), "1"), "!EACCES@open");
  EXPECT_EQ(open(at("kdamonds/0/pid").c_str(), O_RDWR), -1);
  EXPECT_EQ(errno, EACCES);
}

TEST_F(MountTest, NamespaceChangesAreRefused) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  auto failure = [](int rc) { return rc == 0 ? std::string("ok") : err_name(errno); };
  EXPECT_EQ(failure(mkdir(at("kdamonds/5").c_str(), 0755)), "!EPERM");
  EXPECT_EQ(failure(rmdir(at("kdamonds/0").c_str())), "!EPERM");
  EXPECT_EQ(failure(unlink(at("kdamonds/0/refresh_ms").c_str())), "!EPERM");
  EXPECT_EQ(failure(rename(at("kdamonds/0/refresh_ms").c_str(), at("kdamonds/0/x").c_str())),
            "!EPERM");
  EXPECT_EQ(failure(rename(at("kdamonds/0").c_str(), at("kdamonds/9").c_str())), "!EPERM");
  EXPECT_EQ(failure(symlink("state", at("kdamonds/0/link").c_str())), "!EPERM");
  EXPECT_EQ(failure(link(at("kdamonds/0/state").c_str(), at("kdamonds/0/hard").c_str())), "!EPERM");
  EXPECT_EQ(failure(mknod(at("kdamonds/0/node").c_str(), S_IFREG | 0600, 0)), "!EPERM");
  EXPECT_EQ(failure(open(at("kdamonds/0/new").c_str(), O_WRONLY | O_CREAT, 0600)), "!EACCES");
  EXPECT_EQ(failure(open(at("kdamonds/0/state").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600)),
            "!EEXIST");
  EXPECT_EQ(write_file(at("kdamonds/0"), "1"), "!EISDIR@open");
  EXPECT_EQ(read_file(at("kdamonds/0")), "!EISDIR@read");
  EXPECT_EQ(read_file(at("kdamonds/0/missing")), "!ENOENT@open");
  EXPECT_EQ(list(at("kdamonds/0")), (Strings{".", "..", "contexts", "pid", "refresh_ms", "state"}));
}

// kernfs keeps what chmod, chown and utime set in the node, until the
// node goes; the store, not the mode, decides whether a file opens for
// writing.
TEST_F(MountTest, ChmodChownAndUtimeStickLikeKernfs) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  const std::string refresh = at("kdamonds/0/refresh_ms");
  const std::string pid = at("kdamonds/0/pid");
  struct stat st {};
  ASSERT_EQ(chmod(refresh.c_str(), 0644), 0) << strerror(errno);
  ASSERT_EQ(chown(refresh.c_str(), 1234, 5678), 0) << strerror(errno);
  const timespec times[2] = {{1000000000, 5}, {1200000000, 7}};
  ASSERT_EQ(utimensat(AT_FDCWD, refresh.c_str(), times, 0), 0) << strerror(errno);
  ASSERT_EQ(::stat(refresh.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode, S_IFREG | 0644);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
  EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
  EXPECT_EQ(st.st_atim.tv_nsec, 5);
  EXPECT_EQ(st.st_mtim.tv_sec, 1200000000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 7);
  EXPECT_EQ(st.st_size, 4096);
  EXPECT_EQ(write_file(refresh, "7"), "ok");
  EXPECT_EQ(read_file(refresh), "7\n");

  ASSERT_EQ(chmod(pid.c_str(), 0600), 0) << strerror(errno);
  ASSERT_EQ(::stat(pid.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode, S_IFREG | 0600);
  EXPECT_EQ(write_file(pid, "1"), "!EACCES@open");
  ASSERT_EQ(chmod(at("kdamonds/0").c_str(), 0700), 0) << strerror(errno);
  ASSERT_EQ(::stat(at("kdamonds/0").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode, S_IFDIR | 0700);

  // A rebuilt directory holds new nodes, with the kernel's defaults.
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  ASSERT_EQ(::stat(refresh.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode, S_IFREG | 0600);
  EXPECT_EQ(st.st_uid, getuid());
  EXPECT_NE(st.st_mtim.tv_sec, 1200000000);
  ASSERT_EQ(::stat(at("kdamonds/0").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode, S_IFDIR | 0755);
}

// kernfs answers the trusted, security and user namespaces from an empty
// set of attributes, and sysfs takes no user.* attribute.
TEST_F(MountTest, XattrsAnswerLikeSysfs) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  const std::string state = at("kdamonds/0/state");
  char buf[256];
  EXPECT_EQ(getxattr(state.c_str(), "user.damo", buf, sizeof(buf)), -1);
  EXPECT_EQ(errno, ENODATA);
  EXPECT_EQ(getxattr(at("kdamonds").c_str(), "user.damo", buf, sizeof(buf)), -1);
  EXPECT_EQ(errno, ENODATA);
  EXPECT_EQ(listxattr(state.c_str(), buf, sizeof(buf)), 0);
  EXPECT_EQ(listxattr(state.c_str(), nullptr, 0), 0);
  EXPECT_EQ(setxattr(state.c_str(), "user.damo", "1", 1, 0), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
}

TEST_F(MountTest, TruncatingOpensAndTruncateAreAccepted) {
  ASSERT_EQ(write_file(at("kdamonds/nr_kdamonds"), "1"), "ok");
  ASSERT_EQ(write_file(at("kdamonds/0/refresh_ms"), "9"), "ok");
  EXPECT_EQ(truncate(at("kdamonds/0/refresh_ms").c_str(), 0), 0);
  EXPECT_EQ(read_file(at("kdamonds/0/refresh_ms")), "9\n");
}

TEST(MountLifecycleTest, FusermountUnmountEndsTheDaemon) {
  Mount m;
  ASSERT_TRUE(m.mounted());
  ASSERT_EQ(run({"fusermount3", "-u", m.dir()}), 0);
  ASSERT_TRUE(m.wait_exit(10s));
  EXPECT_EQ(m.exit_status(), 0);
  EXPECT_FALSE(m.mounted());
}

TEST(MountLifecycleTest, SigtermUnmountsCleanly) {
  Mount m({"--abi", "latest"});
  ASSERT_TRUE(m.mounted());
  EXPECT_EQ(stat_error(m.dir() + "/admin/kdamonds"), "ok");
  ASSERT_EQ(kill(m.pid(), SIGTERM), 0);
  ASSERT_TRUE(m.wait_exit(10s));
  EXPECT_EQ(m.exit_status(), 0);
  EXPECT_FALSE(m.mounted());
}

// What `command` printed (stdout and stderr) and its exit status.
std::pair<std::string, int> run_shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return {"", -1};
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  const int status = pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// Forgetting --scenario makes the scenario file the mount point: FUSE
// could mount over it and hide it.
TEST(MountLifecycleTest, ARegularFileIsNoMountPoint) {
  char tmpl[] = "/tmp/damonfs-scenario-XXXXXX.yaml";
  const int fd = mkstemps(tmpl, 5);
  ASSERT_GE(fd, 0);
  const std::string text = "name: mine\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  const auto [out, status] = run_shell(std::string(DAMONFS_BINARY) + " -f " + tmpl);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("Not a directory"), std::string::npos) << out;
  EXPECT_FALSE(is_mounted(tmpl));
  EXPECT_EQ(read_file(tmpl), text);
  unlink(tmpl);
}

// A scenario that is a device (or huge) is refused before anything is
// read: the daemon exits at once, small.
TEST(MountLifecycleTest, AScenarioFromADeviceIsRefusedQuickly) {
  char tmpl[] = "/tmp/damonfs-test-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execl(DAMONFS_BINARY, DAMONFS_BINARY, "-f", "--scenario", "/dev/zero", dir.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  int status = 0;
  rusage usage {};
  bool exited = false;
  while (std::chrono::steady_clock::now() - start < 5s) {
    if (wait4(pid, &status, WNOHANG, &usage) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  if (!exited) {
    kill(pid, SIGKILL);
    wait4(pid, &status, 0, &usage);
  }
  EXPECT_TRUE(exited) << "still running after 5 s";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  EXPECT_LE(usage.ru_maxrss, 512 * 1024) << "peak RSS in KiB";
  EXPECT_FALSE(is_mounted(dir));
  rmdir(dir.c_str());
}

// fusermount3 removes an auto_unmount mount once the daemon is gone, if
// opening the mount root then fails: that must hold after a listing too.
TEST(MountLifecycleTest, AutoUnmountRemovesTheMountAfterACrash) {
  Mount m({"-o", "auto_unmount"});
  ASSERT_TRUE(m.mounted());
  EXPECT_EQ(list(m.dir()), (Strings{".", "..", "admin", "damonfs"}));
  EXPECT_EQ(list(m.dir() + "/admin"), (Strings{".", "..", "kdamonds"}));
  ASSERT_EQ(kill(m.pid(), SIGKILL), 0);
  ASSERT_TRUE(m.wait_exit(5s));
  const auto killed = std::chrono::steady_clock::now();
  while (m.mounted() && std::chrono::steady_clock::now() - killed < 2s)
    std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(m.mounted()) << "still mounted 2 s after the daemon died";
}

TEST(MountLifecycleTest, BadUsageExitsWithoutMounting) {
  EXPECT_EQ(run({DAMONFS_BINARY, "--abi", "4.0", "/nonexistent"}), 2);
  EXPECT_EQ(run({DAMONFS_BINARY, "--version"}), 0);
  EXPECT_EQ(run({DAMONFS_BINARY, "--help"}), 0);
}

}  // namespace
