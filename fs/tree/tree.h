// The sysfs tree as the FUSE layer sees it: inodes, attributes, contents.
//
// This is the boundary between fs/tree (the typed DAMON sysfs objects,
// single-threaded, no FUSE headers) and fs/fuse (the libfuse3 low-level
// glue). The Tree is only ever touched from the FUSE loop thread; work
// finished on other threads (kdamonds) is posted back to that thread before
// it touches the tree.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace damonfs::fs {

class AbiProfile;
class KdamondBackend;

struct NodeStat {
  uint64_t ino = 0;
  bool is_dir = false;
  mode_t mode = 0;    // permission bits only (0755, 0600, 0400)
  uint64_t size = 0;  // 4096 for attribute files, as sysfs reports
  uint32_t nlink = 1;
};

struct DirEntry {
  std::string name;
  NodeStat stat;
};

// Result of a write: byte count accepted (>= 0) or -errno.
using WriteResult = long;
using WriteDone = std::function<void(WriteResult)>;

// Called when a directory's children change (an nr_* write, tried regions
// filled or cleared), so the FUSE layer can drop the kernel's cached entries.
// `name` is a child that appeared or vanished.
using EntryInvalidator = std::function<void(uint64_t parent_ino, std::string_view name)>;

class Tree {
 public:
  static constexpr uint64_t kRootIno = 1;  // the mount root: plays /sys/kernel/mm/damon

  Tree(const AbiProfile& abi, KdamondBackend& backend);
  ~Tree();
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  void set_invalidator(EntryInvalidator inv);

  // nullopt when no such entry (ENOENT) or parent is not a directory.
  std::optional<NodeStat> lookup(uint64_t parent_ino, std::string_view name) const;
  // nullopt when the inode no longer exists (ENOENT / ESTALE).
  std::optional<NodeStat> getattr(uint64_t ino) const;
  // 0 and the children in sysfs order, or -errno (ENOTDIR, ENOENT).
  int readdir(uint64_t ino, std::vector<DirEntry>& out) const;
  // 0 and the whole content, or -errno (EISDIR, ENOENT, EBUSY, ...).
  int read(uint64_t ino, std::string& out) const;
  // One sysfs store: the data of one write() call. `done` is called exactly
  // once, either before write() returns or later on the FUSE loop thread
  // (state commands that wait for a kdamond).
  void write(uint64_t ino, std::string_view data, WriteDone done);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace damonfs::fs
