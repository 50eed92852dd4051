// The memory cgroup hierarchy: where it is mounted (cgroup v2, or the v1
// hierarchy with the memory controller on hybrid systems) and which memcg
// path a page is charged to (/proc/kpagecgroup gives the inode number of
// the memcg's directory).
//
// Paths are the kernel DAMON's: relative to the hierarchy's root, "" for
// the root itself ("/a/b" for <mount>/a/b).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace damon::host {

class MemcgTree {
 public:
  // Finds the hierarchy from /proc/self/mountinfo.
  MemcgTree();

  bool found() const { return !mount_.empty(); }
  bool v1() const { return v1_; }
  const std::string& mount_point() const { return mount_; }

  // LRU bytes charged to the memcg at `path` (and its descendants) on node
  // `nid`; nullopt when the memcg does not exist.
  std::optional<uint64_t> node_lru_bytes(const std::string& path, int nid) const;

  // The path of the memcg whose directory has inode `ino`; nullopt when no
  // memcg has it (any more).
  std::optional<std::string> path_of_inode(uint64_t ino) const;

 private:
  void index_locked() const;

  std::string mount_;
  bool v1_ = false;
  mutable std::mutex mu_;
  mutable std::map<uint64_t, std::string> by_inode_;  // guarded by mu_
  mutable std::set<uint64_t> unknown_;                // guarded by mu_
};

}  // namespace damon::host
