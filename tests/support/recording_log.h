// A Log for tests: keeps every line, so that a test can check what a
// component reported, and echoes it to stderr with its level ("logged
// warning: ..."), so that a test's output (or a death test's) shows it too.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log.h"

namespace damon::test {

class RecordingLog final : public Log {
 public:
  void write(Level level, std::string_view line) override {
    static constexpr const char* kNames[] = {"error", "warning", "info"};
    std::lock_guard lock(mu_);
    lines_.emplace_back(line);
    std::fprintf(stderr, "logged %s: %.*s\n", kNames[static_cast<int>(level)],
                 static_cast<int>(line.size()), line.data());
  }

  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  // Lines containing `text`.
  size_t count(std::string_view text) const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const std::string& l : lines_) n += l.find(text) != std::string::npos;
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace damon::test
