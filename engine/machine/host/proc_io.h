// Reading and writing the kernel's pseudo files (/proc, /sys) with errno
// kept, so callers can tell "the process is gone" from "not allowed".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace damon::host {

// An owned file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC; errno is kept on failure.
UniqueFd open_file(const std::string& path, int flags);

// A text file read whole (pseudo files have no size up front). nullopt with
// errno set on failure.
std::optional<std::string> read_text(const std::string& path);
// Writes `text` in one write(2), as the kernel's pseudo files expect.
// 0 or the errno.
int write_text(const std::string& path, const std::string& text);

// 64-bit words [first, first + out.size()) of a table file (pagemap,
// kpageflags, kpagecgroup, page_idle/bitmap), in as many reads as it takes.
// Returns 0, or the errno; words past the end of the file read as 0.
int pread_words(int fd, uint64_t first, std::span<uint64_t> out);

// Writes words [first, first + words.size()) of a table file, in as many
// write(2)s as it takes (sysfs takes at most a page per call). 0 or the
// errno; a write the file ends early (past the last frame) stops quietly.
int pwrite_words(int fd, uint64_t first, std::span<const uint64_t> words);

// "/proc/PID/<name>".
std::string proc_path(int pid, const char* name);

}  // namespace damon::host
