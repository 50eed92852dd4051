#include "tests/bench/kernel_damon_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

namespace damonfs::bench {

const std::vector<std::pair<std::string, std::string>>& one_of_everything() {
  static const std::vector<std::pair<std::string, std::string>> writes = {
      {"kdamonds/nr_kdamonds", "1"},
      {"kdamonds/0/contexts/nr_contexts", "1"},
      {"kdamonds/0/contexts/0/targets/nr_targets", "1"},
      {"kdamonds/0/contexts/0/targets/0/regions/nr_regions", "1"},
      {"kdamonds/0/contexts/0/schemes/nr_schemes", "1"},
      {"kdamonds/0/contexts/0/schemes/0/action", "stat"},
      {"kdamonds/0/contexts/0/schemes/0/quotas/goals/nr_goals", "1"},
      {"kdamonds/0/contexts/0/schemes/0/filters/nr_filters", "1"},
      {"kdamonds/0/contexts/0/schemes/0/core_filters/nr_filters", "1"},
      {"kdamonds/0/contexts/0/schemes/0/ops_filters/nr_filters", "1"},
      {"kdamonds/0/contexts/0/schemes/0/dests/nr_dests", "1"},
  };
  return writes;
}

bool write_file(const std::string& file, const std::string& data) {
  int fd = open(file.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) return false;
  bool ok = write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  return close(fd) == 0 && ok;
}

namespace {

std::string read_file(const std::string& file) {
  std::ostringstream content;
  content << std::ifstream(file).rdbuf();
  return content.str();
}

// nr_kdamonds ... nr_dests: writable, named nr_ and one word (not
// stats/nr_tried, weights/nr_accesses_permil).
bool is_count_file(const std::string& dir, const struct dirent* e) {
  std::string_view name = e->d_name;
  struct stat st {};
  return e->d_type == DT_REG && name.starts_with("nr_") && name.find('_', 3) == name.npos &&
         stat((dir + "/" + e->d_name).c_str(), &st) == 0 && (st.st_mode & S_IWUSR);
}

}  // namespace

bool copy_shape(const std::string& from, const std::string& to, std::string& why) {
  DIR* d = opendir(from.c_str());
  if (!d) return true;  // gone meanwhile: nothing to copy
  std::vector<std::string> counts, subdirs;
  while (dirent* e = readdir(d)) {
    std::string_view name = e->d_name;
    if (is_count_file(from, e)) counts.emplace_back(name);
    if (e->d_type == DT_DIR && name != "." && name != "..") subdirs.emplace_back(name);
  }
  closedir(d);
  for (const std::string& name : counts) {
    std::string value = read_file(from + "/" + name);
    if (!write_file(to + "/" + name, value)) {
      why = "cannot write " + value + " to " + to + "/" + name;
      return false;
    }
  }
  for (const std::string& name : subdirs)
    if (!copy_shape(from + "/" + name, to + "/" + name, why)) return false;
  return true;
}

std::optional<KernelDamonTree> KernelDamonTree::lock(std::chrono::seconds wait, std::string& why) {
  const std::string admin = kKernelAdmin;
  const std::string nr_kdamonds = admin + "/kdamonds/nr_kdamonds";
  if (access(nr_kdamonds.c_str(), R_OK) != 0) {
    why = "no DAMON sysfs";
    return std::nullopt;
  }
  int fd = open("/tmp/kdamon.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    why = "cannot open /tmp/kdamon.lock";
    return std::nullopt;
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      close(fd);
      why = "/tmp/kdamon.lock is held by someone else";
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  KernelDamonTree tree(fd);
  if (read_file(nr_kdamonds) != "0\n") return tree;  // the kernel's own: read only
  tree.staged_ = true;  // from here on, nr_kdamonds goes back to 0
  for (const auto& [file, value] : one_of_everything()) {
    if (!write_file(admin + "/" + file, value)) {
      why = "the kernel refused " + value + " > " + file;
      return std::nullopt;
    }
  }
  return tree;
}

KernelDamonTree::KernelDamonTree(KernelDamonTree&& other) noexcept
    : lock_fd_(other.lock_fd_), staged_(other.staged_) {
  other.lock_fd_ = -1;
}

KernelDamonTree::~KernelDamonTree() {
  if (lock_fd_ < 0) return;
  if (staged_) write_file(std::string(kKernelAdmin) + "/kdamonds/nr_kdamonds", "0");
  close(lock_fd_);  // releases the lock
}

}  // namespace damonfs::bench
