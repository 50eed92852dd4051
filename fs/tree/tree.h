// The sysfs tree as the FUSE layer sees it: inodes, attributes, contents.
//
// This is the boundary between fs/tree (the typed DAMON sysfs objects,
// single-threaded, no FUSE headers) and fs/fuse (the libfuse3 low-level
// glue). The Tree is only ever touched from the FUSE loop thread; work
// finished on other threads (kdamonds) is posted back to that thread before
// it touches the tree.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace damonfs::fs {

class AbiProfile;
class InfoProvider;
class KdamondBackend;

// What chmod, chown, utime and a truncating open set on a node. kernfs
// keeps them in the node itself, so they last as long as the node does (a
// directory rebuilt by an nr_* write comes back with its defaults).
struct NodeMeta {
  std::optional<mode_t> mode;  // permission bits
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<timespec> atime, mtime, ctime;
};

struct NodeStat {
  uint64_t ino = 0;
  bool is_dir = false;
  mode_t mode = 0;     // permission bits only (0755, 0600, 0400)
  uint64_t size = 0;   // 4096 for attribute files, as sysfs reports; 0 for dirs
  uint32_t nlink = 1;  // dirs: 2 + subdirectories, as sysfs reports
  // Directories: moves whenever their entries change, so the FUSE layer can
  // show it as the modification time (as kernfs moves a directory's mtime
  // when it adds or removes a child) and the kernel can tell that a listing
  // it cached is stale.
  uint64_t generation = 0;
  // Directories whose entries change without the tree hearing of it (below
  // damonfs/, which shows whatever the info provider lists now): their
  // changes are never announced, so nothing about them may be cached.
  bool unannounced_changes = false;
  // Set through setattr(); `mode` above stays the kernel's default, which
  // tells whether the file has a store.
  NodeMeta meta = {};
};

struct DirEntry {
  std::string name;
  NodeStat stat;
};

// Result of a write: byte count accepted (>= 0) or -errno.
using WriteResult = long;
using WriteDone = std::function<void(WriteResult)>;

// Called when a directory's children change (an nr_* write, tried regions
// filled or cleared), so the FUSE layer can drop the kernel's cached entries
// and the directory's cached attributes (its link count). `vanished` names
// the children that disappeared and that the kernel may have cached (a
// lookup returned them); names that newly appear need nothing, as failed
// lookups are never cached.
using EntryInvalidator = std::function<void(uint64_t dir_ino, std::vector<std::string> vanished)>;

class Tree {
 public:
  static constexpr uint64_t kRootIno = 1;  // the mount root: plays /sys/kernel/mm/damon
  // sysfs hands a store at most one page and shows at most a page minus
  // the terminating NUL.
  static constexpr size_t kMaxStore = 4096;
  static constexpr size_t kMaxShow = 4095;

  // `backend` must outlive the Tree; the Tree attaches itself to it.
  Tree(const AbiProfile& abi, KdamondBackend& backend);
  ~Tree();
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  void set_invalidator(EntryInvalidator inv);
  // Shows `provider`'s facts read-only under damonfs/ beside admin/
  // (info_provider.h); nullptr (the default) shows no damonfs/. The
  // provider must outlive the Tree or be detached first.
  void set_info(const InfoProvider* provider);

  // nullopt when no such entry (ENOENT) or parent is not a directory.
  std::optional<NodeStat> lookup(uint64_t parent_ino, std::string_view name);
  // nullopt when the inode no longer exists (ENOENT / ESTALE).
  std::optional<NodeStat> getattr(uint64_t ino) const;
  // 0 and the entries ("." and ".." first, then files, subdirectories and
  // numbered children in declaration order), or -errno (ENOTDIR, ENOENT).
  int readdir(uint64_t ino, std::vector<DirEntry>& out) const;
  // 0 and the whole content (at most kMaxShow bytes), or -errno (EISDIR;
  // ENODEV when the file was removed, as kernfs says to an open file;
  // EBUSY for state/pid while a state command runs).
  int read(uint64_t ino, std::string& out) const;
  // One sysfs store: the data of one write() call, of which at most
  // kMaxStore bytes are taken (the result then reports that short count).
  // `done` is called exactly once, either before write() returns or later
  // on the FUSE loop thread (state commands that wait for a kdamond).
  // Errors: EISDIR, ENODEV (removed), EIO (read-only file: no store), and
  // whatever the file's store says.
  void write(uint64_t ino, std::string_view data, WriteDone done);
  // Keeps the fields `change` holds (the caller checked the permission, as
  // the VFS does before kernfs's setattr). 0, or -ENOENT when gone.
  int setattr(uint64_t ino, const NodeMeta& change);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace damonfs::fs
