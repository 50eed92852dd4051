// Inode numbers of the tree. Every directory gets an id from a counter that
// never goes back, so a number handed to the kernel is never reused: once a
// directory is destroyed (nr_* rewrite), its inodes and its files' inodes
// simply stop resolving. A file's inode is derived from its directory's id
// and its place in the directory type's file table.
#pragma once

#include <cstdint>
#include <unordered_map>

namespace damonfs::fs {

class Dir;

class InodeTable {
 public:
  // Slot 0 is the directory itself, slot k (1..kMaxFiles) its k-th file.
  static constexpr unsigned kSlotBits = 8;
  static constexpr unsigned kMaxFiles = (1u << kSlotBits) - 1;

  struct Split {
    uint64_t dir_id = 0;
    unsigned slot = 0;
  };

  // The first id (0, the root) maps to inode 1, FUSE's root inode.
  static uint64_t ino(uint64_t dir_id, unsigned slot) { return (dir_id << kSlotBits) + slot + 1; }
  static Split split(uint64_t ino) {
    return {(ino - 1) >> kSlotBits, static_cast<unsigned>((ino - 1) & kMaxFiles)};
  }

  // `n` consecutive ids nobody has had; returns the first.
  uint64_t reserve(uint64_t n) {
    uint64_t first = next_id_;
    next_id_ += n;
    return first;
  }
  void bind(uint64_t id, Dir& dir) { dirs_[id] = &dir; }
  void unbind(uint64_t id) { dirs_.erase(id); }
  Dir* find(uint64_t id) const {
    auto it = dirs_.find(id);
    return it == dirs_.end() ? nullptr : it->second;
  }

 private:
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, Dir*> dirs_;
};

}  // namespace damonfs::fs
