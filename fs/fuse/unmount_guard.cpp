#include "fs/fuse/unmount_guard.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace damonfs::fs {

namespace {

bool damonfs_mounted_on(const std::string& mountpoint) {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, where, type, rest;
  while (mounts >> device >> where >> type && std::getline(mounts, rest))
    if (where == mountpoint && type == "fuse.damonfs") return true;
  return false;
}

[[noreturn]] void guard(int daemon_gone, const std::string& mountpoint) {
  // A signal to the whole process group (^C) is for the daemon, which
  // unmounts by itself then.
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_IGN);
  char byte;
  while (read(daemon_gone, &byte, 1) < 0 && errno == EINTR) {
  }
  if (damonfs_mounted_on(mountpoint)) {
    execlp("fusermount3", "fusermount3", "-u", "-z", "--", mountpoint.c_str(),
           static_cast<char*>(nullptr));
  }
  _exit(0);
}

}  // namespace

bool asks_auto_unmount(const std::string& options) {
  std::istringstream in(options);
  for (std::string opt; std::getline(in, opt, ',');)
    if (opt == "auto_unmount") return true;
  return false;
}

bool start_unmount_guard(const std::string& mountpoint) {
  char resolved[PATH_MAX];
  if (!realpath(mountpoint.c_str(), resolved)) return false;
  const std::string where = resolved;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return false;
  const pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return false;
  }
  if (pid == 0) {
    // Hold nothing but the read end: above all not the FUSE device, whose
    // last close is what ends the connection when the daemon dies.
    if (dup2(pipe_fds[0], 3) < 0) _exit(1);
    syscall(SYS_close_range, 4, ~0U, 0);
    prctl(PR_SET_NAME, "damonfs-guard", 0, 0, 0);
    guard(3, where);
  }
  close(pipe_fds[0]);
  return true;  // the write end stays open, unwritten, for the daemon's life
}

}  // namespace damonfs::fs
