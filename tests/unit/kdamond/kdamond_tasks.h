// What /proc shows of this program's kdamond tasks (engine/kdamond/
// parked_task.h): processes whose parent is this one, or this process's
// threads in builds where kdamonds are threads (ThreadSanitizer).
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/kdamond/parked_task.h"

namespace damon::test {

inline std::string first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// /proc/PID/comm of a process or thread, "" when there is none.
inline std::string task_name(pid_t pid) {
  return first_line("/proc/" + std::to_string(pid) + "/comm");
}

// The "Key:" line's value of /proc/PID/status, -1 when absent.
inline long long status_field(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) return std::stoll(line.substr(key.size() + 1));
  return -1;
}

// Pids listed in /proc (thread-group leaders only: what ps and pgrep see).
inline std::vector<pid_t> listed_processes() {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string n = e.path().filename();
    if (!n.empty() && std::isdigit(static_cast<unsigned char>(n[0]))) out.push_back(std::stoi(n));
  }
  return out;
}

// This program's kdamond tasks named `name`.
inline std::vector<pid_t> kdamond_tasks(const std::string& name) {
  std::vector<pid_t> out;
  if (!ParkedTask::kOwnProcess) {
    for (const auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
      const pid_t tid = std::stoi(t.path().filename());
      if (task_name(tid) == name) out.push_back(tid);
    }
    return out;
  }
  for (pid_t pid : listed_processes())
    if (status_field(pid, "PPid") == getpid() && task_name(pid) == name) out.push_back(pid);
  return out;
}

// CPU time of the task so far, clock ticks (utime + stime of /proc/PID/stat).
inline unsigned long long cpu_ticks(pid_t pid) {
  const std::string stat = first_line("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream in(stat.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return utime + stime;
}

}  // namespace damon::test
