#include "engine/machine/host/memcg_tree.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string_view>
#include <vector>

#include "engine/machine/host/proc_io.h"
#include "engine/machine/host/proc_parse.h"
#include "engine/machine/machine.h"

namespace damon::host {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

bool lists(std::string_view list, char sep, std::string_view word) {
  for (std::string_view w : split(list, sep))
    if (w == word) return true;
  return false;
}

}  // namespace

MemcgTree::MemcgTree() {
  const std::optional<std::string> mountinfo = read_text("/proc/self/mountinfo");
  if (!mountinfo) return;
  std::string v2_mount;
  for (std::string_view line : split(*mountinfo, '\n')) {
    // "<id> <parent> <dev> <root> <mount point> <options> [optional...] - <fstype> <source> <super
    // options>"
    const size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    const std::vector<std::string_view> head = split(line.substr(0, dash), ' ');
    const std::vector<std::string_view> tail = split(line.substr(dash + 3), ' ');
    if (head.size() < 5 || tail.size() < 3) continue;
    const std::string mount(head[4]);
    if (tail[0] == "cgroup" && lists(tail[2], ',', "memory")) {
      mount_ = mount;
      v1_ = true;
      return;
    }
    if (tail[0] == "cgroup2" && v2_mount.empty()) {
      const std::optional<std::string> controllers = read_text(mount + "/cgroup.controllers");
      if (controllers && lists(controllers->substr(0, controllers->find('\n')), ' ', "memory"))
        v2_mount = mount;
    }
  }
  mount_ = v2_mount;
}

std::optional<uint64_t> MemcgTree::node_lru_bytes(const std::string& path, int nid) const {
  if (!found() || nid < 0) return std::nullopt;
  const std::string dir = mount_ + path;
  if (::access(dir.c_str(), F_OK) != 0) return std::nullopt;
  if (const std::optional<std::string> stat = read_text(dir + "/memory.numa_stat")) {
    return v1_ ? numa_stat_v1_lru_bytes(*stat, nid, kPageSize) : numa_stat_v2_lru_bytes(*stat, nid);
  }
  // cgroup v2 keeps no memory.numa_stat at its root: the root memcg holds
  // every page, which is the node's own LRU.
  const std::string node = "/sys/devices/system/node/node" + std::to_string(nid) + "/meminfo";
  const std::optional<std::string> meminfo = read_text(node);
  if (!meminfo) return std::nullopt;
  const auto active = meminfo_bytes(*meminfo, "Active");
  const auto inactive = meminfo_bytes(*meminfo, "Inactive");
  if (!active || !inactive) return std::nullopt;
  return *active + *inactive;
}

void MemcgTree::index_locked() const {
  by_inode_.clear();
  unknown_.clear();
  namespace fs = std::filesystem;
  std::error_code ec;
  struct stat st {};
  if (::stat(mount_.c_str(), &st) == 0) by_inode_[st.st_ino] = "";
  for (fs::recursive_directory_iterator
           it(mount_, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    const std::string path = it->path().string();
    if (::stat(path.c_str(), &st) == 0) by_inode_[st.st_ino] = path.substr(mount_.size());
  }
}

std::optional<std::string> MemcgTree::path_of_inode(uint64_t ino) const {
  if (!found()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = by_inode_.find(ino);
  if (it == by_inode_.end() && !unknown_.count(ino)) {
    // A memcg made since the last look: index again. Pages of removed
    // memcgs (still charged to them) would do this for every page: their
    // inodes are remembered as unknown.
    index_locked();
    it = by_inode_.find(ino);
    if (it == by_inode_.end()) unknown_.insert(ino);
  }
  if (it == by_inode_.end()) return std::nullopt;
  return it->second;
}

}  // namespace damon::host
