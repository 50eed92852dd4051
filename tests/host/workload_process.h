// Runs tests/host/workload.c as a child process and reads back where its
// mappings are (for the host machine's tests and benchmark).
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/params.h"

namespace damon::host::test {

struct WorkloadSpec {
  uint64_t hot_mib = 32;
  uint64_t cold_mib = 32;
  uint64_t file_mib = 32;
  uint64_t pause_us = 500;  // between passes over the hot mapping
};

class WorkloadProcess {
 public:
  // `binary`: the built workload; `file`: where its file mapping lives
  // (must not be tmpfs, whose pages cannot be paged out without swap).
  WorkloadProcess(const std::string& binary, const std::string& file, WorkloadSpec spec)
      : file_(file) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const std::vector<std::string> args = {
        binary, std::to_string(spec.hot_mib),  std::to_string(spec.cold_mib),
        file,   std::to_string(spec.file_mib), std::to_string(spec.pause_us)};
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int err = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (err) {
      ::close(out[0]);
      throw std::runtime_error("cannot start " + binary);
    }
    FILE* in = ::fdopen(out[0], "r");
    char line[256];
    while (std::fgets(line, sizeof line, in)) {
      std::istringstream s(line);
      std::string name;
      AddrRange r;
      s >> name >> std::hex >> r.start >> r.end;
      if (name == "ready") break;
      if (name == "hot") hot_ = r;
      if (name == "cold") cold_ = r;
      if (name == "file") file_range_ = r;
    }
    std::fclose(in);
    if (!hot_.size()) {
      stop();
      throw std::runtime_error("the workload did not start");
    }
  }
  ~WorkloadProcess() {
    stop();
    std::remove(file_.c_str());
  }
  WorkloadProcess(const WorkloadProcess&) = delete;
  WorkloadProcess& operator=(const WorkloadProcess&) = delete;

  int pid() const { return pid_; }
  AddrRange hot() const { return hot_; }
  AddrRange cold() const { return cold_; }
  AddrRange file() const { return file_range_; }

  // Kills and reaps it.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  // "<Key>:" of the smaps entry of the mapping starting at `start`, bytes.
  uint64_t smaps_field(uint64_t start, const std::string& key) const {
    std::ifstream smaps("/proc/" + std::to_string(pid_) + "/smaps");
    std::string line;
    bool in_mapping = false;
    while (std::getline(smaps, line)) {
      const size_t dash = line.find('-');
      if (dash != std::string::npos && line.find(':') > dash && std::isxdigit(line[0])) {
        in_mapping = std::stoull(line.substr(0, dash), nullptr, 16) == start;
        continue;
      }
      if (in_mapping && line.rfind(key + ":", 0) == 0)
        return std::stoull(line.substr(key.size() + 1)) * 1024;
    }
    return 0;
  }

 private:
  std::string file_;
  pid_t pid_ = -1;
  AddrRange hot_, cold_, file_range_;
};

}  // namespace damon::host::test
