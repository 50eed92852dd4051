// One damonfs daemon serving a temporary mount point for the length of a
// test, and the plain system calls a shell script would make on it.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#ifndef DAMONFS_BINARY
#error "DAMONFS_BINARY must name the damonfs executable"
#endif

namespace damonfs::test {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

inline bool is_mounted(const std::string& dir) {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, where, rest;
  while (mounts >> device >> where && std::getline(mounts, rest))
    if (where == dir) return true;
  return false;
}

// The standard output of a shell command, "" when it fails.
inline std::string shell(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

// Runs the loop `done` until it returns true or `timeout` passes.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds every = 20ms) {
  for (auto end = std::chrono::steady_clock::now() + timeout;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(every);
  }
}

class MountSession {
 public:
  explicit MountSession(Strings extra = {"--abi", "6.18", "--machine", "sim"}) {
    char tmpl[] = "/tmp/damonfs-control-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Strings argv = {DAMONFS_BINARY, "-f"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(dir_);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // should the test die, so does the daemon
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    // The mount appears before the simulated processes start: wait for both.
    eventually([this] { return is_mounted(dir_) && !read("damonfs/processes").empty(); }, 10s);
  }

  ~MountSession() {
    if (is_mounted(dir_)) shell("fusermount3 -u " + dir_);
    if (pid_ > 0) {
      if (!reaped(10s)) {
        kill(pid_, SIGKILL);
        reaped(10s);
      }
    }
    if (is_mounted(dir_)) shell("umount -l " + dir_);
    rmdir(dir_.c_str());
  }

  bool ready() const { return is_mounted(dir_); }
  pid_t daemon_pid() const { return pid_; }
  std::string path(const std::string& rel) const { return dir_ + "/" + rel; }

  // The content, or "" when it cannot be read.
  std::string read(const std::string& rel) const {
    int fd = open(path(rel).c_str(), O_RDONLY);
    if (fd < 0) return "";
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;)
      out.append(buf, static_cast<size_t>(n));
    close(fd);
    return out;
  }

  long long number(const std::string& rel) const {
    const std::string s = read(rel);
    return s.empty() ? -1 : std::stoll(s);
  }

  // Like `echo -n data > file`: "ok" or the errno's name.
  std::string write(const std::string& rel, const std::string& data) const {
    int fd = open(path(rel).c_str(), O_WRONLY | O_TRUNC);
    if (fd < 0) return strerrorname_np(errno);
    ssize_t n = ::write(fd, data.data(), data.size());
    const int err = errno;
    close(fd);
    if (n < 0) return strerrorname_np(err);
    return "ok";
  }

  // Sorted entries of a directory, without "." and "..".
  Strings list(const std::string& rel) const {
    Strings names;
    DIR* d = opendir(path(rel).c_str());
    if (!d) return names;
    while (dirent* e = readdir(d))
      if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) names.push_back(e->d_name);
    closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  bool reaped(std::chrono::milliseconds timeout) {
    return eventually(
        [this] {
          int status = 0;
          return waitpid(pid_, &status, WNOHANG) == pid_;
        },
        timeout, 10ms);
  }

  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace damonfs::test
