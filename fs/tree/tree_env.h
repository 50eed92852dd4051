// What file handlers and child lists share besides their own directory: the
// ABI profile, the kdamond backend, the inode table, the sysfs global lock,
// the cache invalidation hook and the info provider. One per Tree, used on
// its thread only.
#pragma once

#include <string>
#include <vector>

#include "fs/tree/abi_profile.h"
#include "fs/tree/info_provider.h"
#include "fs/tree/inode_table.h"
#include "fs/tree/kdamond_backend.h"
#include "fs/tree/tree.h"

namespace damonfs::fs {

class Dir;

struct TreeEnv {
  TreeEnv(const AbiProfile& abi_profile, KdamondBackend& kdamond_backend)
      : abi(abi_profile), backend(kdamond_backend) {}

  const AbiProfile& abi;
  KdamondBackend& backend;
  InodeTable inodes;
  // damon_sysfs_lock: held while a `state` command runs. The kernel takes
  // it with trylock, so whoever finds it held fails with EBUSY.
  bool sysfs_locked = false;
  EntryInvalidator invalidator;
  // What damonfs/ shows; nullptr: no damonfs/ directory.
  const InfoProvider* info = nullptr;

  // Gives `dir` the id `id` and its (profile-visible) fixed subdirectories
  // fresh ids, making them all reachable by inode.
  void adopt(Dir& dir, Dir* parent, uint64_t id);
  // Makes `dir` and everything below it unreachable, before it is destroyed.
  void release(Dir& dir);
  // `dir`'s children changed; `vanished` are the names the kernel may cache.
  void children_changed(Dir& dir, std::vector<std::string> vanished);
};

}  // namespace damonfs::fs
