// A real process standing in for a simulated one.
//
// So that the usual tools work on simulated processes (`pgrep -x NAME`,
// pid_target, /proc/PID/maps, `kill`), each can be backed by a stub: a
// process whose comm is the simulated name and whose address space reserves
// the simulated mappings (PROT_NONE, MAP_NORESERVE: no memory is used).
//
// How it is spawned, and why: the daemon is multi-threaded, so after a
// fork() the child may only make async-signal-safe calls. Rather than
// shaping the child between fork and exec, the stub is this very binary,
// started with posix_spawn() (vfork-like, safe with threads; signal mask and
// dispositions reset by the spawn attributes) of /proc/self/exe with a
// request in the environment. A constructor in this translation unit
// notices the request before main() runs, so every program linking the
// simulator (damonfs, the test binaries) can serve as the stub without a
// separate executable to install and find, and without main()'s help.
//
// Lifetime: the stub holds one end of a socket pair and exits when it reads
// end-of-file, i.e. when the daemon closes it or dies in any way (the kernel
// closes its descriptors). That is sturdier than PR_SET_PDEATHSIG, which
// fires when the spawning *thread* exits, not the process.
//
// Reaping: only the daemon's threads may wait for its children, and the
// simulation is also asked by kdamonds, which are processes of their own
// (kdamond/parked_task.h). So whether a stub has exited is read from its
// socket (end-of-file), which works from any task sharing the descriptor
// table, and a StubReaper thread of the daemon reaps each stub as soon as
// it exits, as init reaps an orphan.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace damon::sim {

struct Reservation {
  uint64_t start = 0, end = 0;
  // Required reservations must succeed; others (mappings that may collide
  // with the stub's own program, libraries and stack) are best effort.
  bool required = true;
};

class StubProcess {
 public:
  // Spawns the stub and waits until it has its name and reservations.
  // Throws std::runtime_error when that fails.
  StubProcess(const std::string& comm, const std::vector<Reservation>& reservations);
  ~StubProcess();
  StubProcess(const StubProcess&) = delete;
  StubProcess& operator=(const StubProcess&) = delete;

  int pid() const { return pid_; }
  // True once the stub has ended (killed by anyone). From any task.
  bool exited() const;
  // Ends the stub (SIGKILL) and waits until it has exited; reaps it when
  // called by the daemon (else its StubReaper does).
  void terminate();

 private:
  friend class StubReaper;
  int pid_ = -1;
  int sock_ = -1;
  // Set once the stub is reaped, by whoever reaped it: its pid may name
  // another process from then on, so it is never signalled again.
  std::shared_ptr<std::atomic<bool>> reaped_ = std::make_shared<std::atomic<bool>>(false);
};

// A thread of the daemon that reaps the given stubs as they exit, until it
// is destroyed (before the stubs are).
class StubReaper {
 public:
  explicit StubReaper(const std::vector<const StubProcess*>& stubs);
  ~StubReaper();
  StubReaper(const StubReaper&) = delete;
  StubReaper& operator=(const StubReaper&) = delete;

 private:
  struct Watched {
    pid_t pid;
    int sock;  // a duplicate of the stub's socket, owned here
    std::shared_ptr<std::atomic<bool>> reaped;
  };
  void run();

  std::vector<Watched> watched_;
  int stop_fd_ = -1;  // eventfd: readable when the reaper must end
  std::thread thread_;
};

}  // namespace damon::sim
