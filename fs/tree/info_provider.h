// What the mount says about whatever serves it, outside admin/.
//
// admin/ stays exactly the kernel's. Facts a DAMON sysfs has no place for
// (which machine the kdamonds monitor, how it samples accesses, the ground
// truth of a simulation) are shown under the mount root's `damonfs/`
// directory, from an InfoProvider: the tree only maps its directories and
// files to inodes; the provider says what exists and what each file holds,
// computed at every read. Files are read-only (0400) unless the provider
// says otherwise (the manual clock, 0600).
//
// Threading: called on the tree's thread only.
#pragma once

#include <cerrno>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace damonfs::fs {

// The directory holding the info subtree, beside admin/.
inline constexpr std::string_view kInfoDirName = "damonfs";

struct InfoEntry {
  std::string name;
  bool is_dir = false;
  bool writable = false;  // files only
};

// 0, or -errno; called exactly once, on the tree's thread.
using InfoWriteDone = std::function<void(int)>;

class InfoProvider {
 public:
  virtual ~InfoProvider() = default;

  // The entries of the directory at `dir` (path components below damonfs/;
  // empty for damonfs/ itself), in display order; nullopt when there is no
  // such directory.
  virtual std::optional<std::vector<InfoEntry>> list(std::span<const std::string> dir) const = 0;
  // The whole content of the file at `file`; nullopt when there is no such
  // file (any more).
  virtual std::optional<std::string> read(std::span<const std::string> file) const = 0;
  // Stores `data` (one write() call's) into the writable file at `file`;
  // `done` may run later. Files never listed writable keep this default.
  virtual void write(std::span<const std::string> file, std::string_view data,
                     InfoWriteDone done) const {
    (void)file;
    (void)data;
    done(-EIO);
  }
};

}  // namespace damonfs::fs
