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
// fires when the spawning *thread* exits, not the process. The daemon reaps
// its stubs (waitpid) when it sees them exit or when it ends them.
#pragma once

#include <cstdint>
#include <string>
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
  // True once the stub has ended (killed by anyone); reaps it.
  bool exited();
  // Ends the stub (SIGKILL) and reaps it.
  void terminate();

 private:
  int pid_ = -1;
  int sock_ = -1;
  bool reaped_ = false;
};

}  // namespace damon::sim
