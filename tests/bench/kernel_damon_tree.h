// The kernel's DAMON sysfs, for comparing a damo-style read of a whole
// kdamond tree with the same read of damonfs.
//
// The kernel's DAMON is shared with everyone on the machine, so this follows
// the house rules: it holds /tmp/kdamon.lock (flock) for its whole life and
// never turns anything on. A kernel that already has kdamonds is only read.
// One that has none gets a one-of-everything kdamond staged for the run (its
// one scheme a `stat` scheme), and nr_kdamonds goes back to 0 afterwards.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace damonfs::bench {

inline constexpr char kKernelAdmin[] = "/sys/kernel/mm/damon/admin";

// The writes, relative to an admin/ directory, that stage kdamond 0 with one
// of every numbered directory: context, target, region, scheme (stat), quota
// goal, filter in each filter directory, destination.
const std::vector<std::pair<std::string, std::string>>& one_of_everything();

// Writes `data` to `file` in one write() (as `echo -n`); false on error.
bool write_file(const std::string& file, const std::string& data);

// Gives the tree below admin/ `to` the shape of the one below admin/ `from`:
// every nr_* count of `from`, parents first. False when `to` refused one.
bool copy_shape(const std::string& from, const std::string& to, std::string& why);

class KernelDamonTree {
 public:
  // nullopt, with the reason in `why`, without a DAMON sysfs, when the lock
  // is not taken within `wait`, or when staging failed.
  static std::optional<KernelDamonTree> lock(std::chrono::seconds wait, std::string& why);

  KernelDamonTree(KernelDamonTree&& other) noexcept;
  KernelDamonTree& operator=(KernelDamonTree&&) = delete;
  // Removes what was staged and releases the lock.
  ~KernelDamonTree();

  // Whether the kdamond read is one staged for the run (else the kernel's own).
  bool staged() const { return staged_; }

 private:
  explicit KernelDamonTree(int lock_fd) : lock_fd_(lock_fd) {}
  int lock_fd_ = -1;
  bool staged_ = false;
};

}  // namespace damonfs::bench
