#include "tests/bench/kernel_damon_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string_view>

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

std::optional<std::string> kernel_admin_with_kdamonds(std::string& why) {
  const std::string admin = kKernelAdmin;
  const std::string nr_kdamonds = admin + "/kdamonds/nr_kdamonds";
  if (access(nr_kdamonds.c_str(), R_OK) != 0) {
    why = "no DAMON sysfs";
    return std::nullopt;
  }
  if (read_file(nr_kdamonds) == "0\n") {
    why = "the kernel has no kdamond to read (none is ever staged on this machine's DAMON)";
    return std::nullopt;
  }
  return admin;
}

}  // namespace damonfs::bench
