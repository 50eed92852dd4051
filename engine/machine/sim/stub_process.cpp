#include "engine/machine/sim/stub_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace damon::sim {
namespace {

constexpr const char* kEnv = "DAMONFS_SIM_STUB";
constexpr int kStubFd = 3;
constexpr int kReadyTimeoutMs = 10000;

// "<fd>;<start>-<end>[!],...;<comm>" (hex addresses, '!' = required). The
// comm comes last so it may contain any character.
std::string encode(int fd, const std::string& comm, const std::vector<Reservation>& rs) {
  std::string s = std::to_string(fd) + ";";
  char buf[64];
  for (size_t i = 0; i < rs.size(); ++i) {
    std::snprintf(buf, sizeof(buf), "%s%llx-%llx%s", i ? "," : "", static_cast<unsigned long long>(rs[i].start),
                  static_cast<unsigned long long>(rs[i].end), rs[i].required ? "!" : "");
    s += buf;
  }
  return s + ";" + comm;
}

[[noreturn]] void stub_exit(int fd, int status) {
  const unsigned char byte = static_cast<unsigned char>(status);
  if (write(fd, &byte, 1) < 0) _exit(2);
  _exit(status ? 1 : 0);
}

// The stub's whole life. Runs before main() in a freshly exec'd copy of the
// program, so ordinary library calls are fine here.
[[noreturn]] void run_stub(const char* spec) {
  char* end = nullptr;
  const int fd = static_cast<int>(std::strtol(spec, &end, 10));
  if (*end != ';') _exit(2);
  const char* p = end + 1;
  const char* comm = std::strchr(p, ';');
  if (!comm) stub_exit(fd, EINVAL);
  ++comm;
  prctl(PR_SET_NAME, comm, 0, 0, 0);
  while (p < comm - 1) {
    const unsigned long long start = std::strtoull(p, &end, 16);
    if (*end != '-') stub_exit(fd, EINVAL);
    const unsigned long long stop = std::strtoull(end + 1, &end, 16);
    const bool required = *end == '!';
    if (required) ++end;
    p = *end == ',' ? end + 1 : end;
    void* want = reinterpret_cast<void*>(start);
    void* got = mmap(want, stop - start, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (got != want) {
      const int err = got == MAP_FAILED ? errno : EEXIST;  // old kernels: hint ignored
      if (got != MAP_FAILED) munmap(got, stop - start);
      if (required) stub_exit(fd, err);
    }
  }
  // Hold nothing of the daemon's but the socket (and stderr, for sanitizer
  // reports): a stub must not keep a pipe or a FUSE device open.
  const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
  }
  if (fd > 3) syscall(SYS_close_range, 3, fd - 1, 0);
  syscall(SYS_close_range, fd + 1, ~0U, 0);
  const unsigned char ready = 0;
  if (write(fd, &ready, 1) != 1) _exit(1);
  for (;;) {
    char c;
    const ssize_t r = read(fd, &c, 1);
    if (r == 0 || (r < 0 && errno != EINTR)) _exit(0);
  }
}

// Priority 101: before the program's own static constructors.
__attribute__((constructor(101))) void stub_entry() {
  if (const char* spec = std::getenv(kEnv)) run_stub(spec);
}

[[noreturn]] void fail(const std::string& what, int err) {
  throw std::runtime_error("sim stub: " + what + ": " + std::strerror(err));
}

}  // namespace

StubProcess::StubProcess(const std::string& comm, const std::vector<Reservation>& reservations) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) fail("socketpair", errno);
  // dup2 onto the same descriptor would keep close-on-exec set.
  if (sv[1] == kStubFd) {
    const int moved = fcntl(sv[1], F_DUPFD_CLOEXEC, kStubFd + 1);
    close(sv[1]);
    sv[1] = moved;
  }
  const std::string request = std::string(kEnv) + "=" + encode(kStubFd, comm, reservations);
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, kEnv, std::strlen(kEnv)) || (*e)[std::strlen(kEnv)] != '=') env.push_back(*e);
  }
  env.push_back(const_cast<char*>(request.c_str()));
  env.push_back(nullptr);
  std::string argv0 = comm;
  char* argv[] = {argv0.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sv[1], kStubFd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const int err = posix_spawn(&pid_, "/proc/self/exe", &actions, &attr, argv, env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(sv[1]);
  sock_ = sv[0];
  if (err) {
    close(sock_);
    fail("posix_spawn", err);
  }

  pollfd pfd{sock_, POLLIN, 0};
  int status = ETIMEDOUT;
  if (poll(&pfd, 1, kReadyTimeoutMs) == 1) {
    unsigned char byte;
    status = read(sock_, &byte, 1) == 1 ? byte : ECHILD;
  }
  if (status) {
    terminate();
    fail("setting up '" + comm + "'", status);
  }
}

StubProcess::~StubProcess() { terminate(); }

namespace {

// Whether the stub at the other end of `sock` has exited: it never writes
// after its ready byte, so a readable socket means end-of-file.
bool peer_gone(int sock, int timeout_ms) {
  pollfd p{sock, POLLIN | POLLRDHUP, 0};
  return poll(&p, 1, timeout_ms) == 1;
}

}  // namespace

bool StubProcess::exited() const { return reaped_->load() || sock_ < 0 || peer_gone(sock_, 0); }

void StubProcess::terminate() {
  if (sock_ < 0) return;
  if (!reaped_->load()) kill(pid_, SIGKILL);
  int st;
  pid_t r;
  while ((r = waitpid(pid_, &st, 0)) < 0 && errno == EINTR) {
  }
  if (r == pid_) {
    reaped_->store(true);
  } else {
    // Not ours to reap from this task (or already reaped): wait for the
    // exit itself, the reaper does the rest.
    peer_gone(sock_, -1);
  }
  close(sock_);
  sock_ = -1;
}

StubReaper::StubReaper(const std::vector<const StubProcess*>& stubs) {
  for (const StubProcess* s : stubs) {
    if (s->sock_ < 0) continue;
    watched_.push_back({s->pid_, fcntl(s->sock_, F_DUPFD_CLOEXEC, 0), s->reaped_});
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) fail("eventfd", errno);
  thread_ = std::thread(&StubReaper::run, this);
}

StubReaper::~StubReaper() {
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) {
    // Cannot happen for an eventfd below its maximum; the join would hang.
    std::abort();
  }
  thread_.join();
  close(stop_fd_);
  for (const Watched& w : watched_)
    if (w.sock >= 0) close(w.sock);
}

void StubReaper::run() {
  for (;;) {
    std::vector<pollfd> fds{{stop_fd_, POLLIN, 0}};
    for (const Watched& w : watched_)
      fds.push_back({w.sock, static_cast<short>(w.sock >= 0 ? POLLIN | POLLRDHUP : 0), 0});
    if (poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR
    if (fds[0].revents) return;
    for (size_t i = 1; i < fds.size(); ++i) {
      Watched& w = watched_[i - 1];
      if (!fds[i].revents || w.sock < 0) continue;
      int st;
      while (waitpid(w.pid, &st, 0) < 0 && errno == EINTR) {
      }
      w.reaped->store(true);
      close(w.sock);
      w.sock = -1;
    }
  }
}

}  // namespace damon::sim
