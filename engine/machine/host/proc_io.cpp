#include "engine/machine/host/proc_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace damon::host {

void UniqueFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

UniqueFd open_file(const std::string& path, int flags) {
  return UniqueFd(::open(path.c_str(), flags | O_CLOEXEC));
}

std::optional<std::string> read_text(const std::string& path) {
  UniqueFd fd = open_file(path, O_RDONLY);
  if (!fd) return std::nullopt;
  std::string text;
  size_t used = 0;
  text.resize(16384);
  for (;;) {
    if (used == text.size()) text.resize(text.size() * 2);
    const ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  text.resize(used);
  return text;
}

int write_text(const std::string& path, const std::string& text) {
  UniqueFd fd = open_file(path, O_WRONLY);
  if (!fd) return errno;
  const ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n < 0) return errno;
  return static_cast<size_t>(n) == text.size() ? 0 : EIO;
}

int pread_words(int fd, uint64_t first, std::span<uint64_t> out) {
  auto* dst = reinterpret_cast<char*>(out.data());
  const size_t want = out.size_bytes();
  size_t got = 0;
  while (got < want) {
    const ssize_t n =
        ::pread(fd, dst + got, want - got, static_cast<off_t>(first * sizeof(uint64_t) + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  std::memset(dst + got, 0, want - got);
  return 0;
}

int pwrite_words(int fd, uint64_t first, std::span<const uint64_t> words) {
  const auto* src = reinterpret_cast<const char*>(words.data());
  const size_t want = words.size_bytes();
  size_t done = 0;
  while (done < want) {
    const ssize_t n =
        ::pwrite(fd, src + done, want - done, static_cast<off_t>(first * sizeof(uint64_t) + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return 0;
}

std::string proc_path(int pid, const char* name) {
  return "/proc/" + std::to_string(pid) + "/" + name;
}

}  // namespace damon::host
