// The building blocks of the typed tree.
//
// Each directory type is a small struct deriving from Dir that holds its
// values as typed members and declares its files and fixed subdirectories
// once, in a DirType table (name, since, how to show and store). Generic
// code (lookup, readdir, read, write) only walks these tables.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fs/tree/abi_profile.h"
#include "fs/tree/kdamond_backend.h"
#include "fs/tree/tree.h"

namespace damonfs::fs {

class Dir;
class ChildList;
struct TreeEnv;

struct FileSpec {
  std::string_view name;
  AbiVersion since = kSysfsOrigin;
  // The whole content, or -errno.
  std::function<int(const Dir&, const TreeEnv&, std::string& out)> show;
  // One store: 0 or -errno. Empty for read-only (0400) files.
  std::function<int(Dir&, TreeEnv&, std::string_view input)> store;
  // A store that may finish later (`state`); used instead of `store`.
  std::function<void(Dir&, TreeEnv&, std::string_view input, CommandDone done)> store_async;

  bool writable() const { return store || store_async; }
};

struct SubdirSpec {
  std::string_view name;
  AbiVersion since = kSysfsOrigin;
  std::function<Dir&(Dir&)> get;
};

// Read-only entries a directory only learns at run time (the info subtree,
// info_dirs.h), shown after its declared files, subdirectories and numbered
// children. Their files take the inode slots after the declared files'; a
// slot, once given to a name, keeps it for as long as the directory lives.
class RuntimeEntries {
 public:
  struct Entry {
    std::string name;
    Dir* dir = nullptr;  // a subdirectory, or else
    unsigned slot = 0;   // a file: its inode slot in the owning directory
  };

  virtual ~RuntimeEntries() = default;
  // The entries there are now, in display order.
  virtual std::vector<Entry> list() = 0;
  // nullopt when there is no such entry now.
  virtual std::optional<Entry> find(std::string_view name) = 0;
  // Whether `slot` was ever given to a file (its inode still resolves).
  virtual bool has_slot(unsigned slot) const = 0;
  // The content of the file in `slot`: 0, or -ENODEV once it has gone.
  virtual int show(unsigned slot, std::string& out) const = 0;
  // Whether the file in `slot` takes writes (mode 0600, else 0400).
  virtual bool writable(unsigned slot) const {
    (void)slot;
    return false;
  }
  // Stores into a writable file: `done` gets 0 or -errno, exactly once.
  virtual void store(unsigned slot, std::string_view data, std::function<void(int)> done) {
    (void)slot;
    (void)data;
    done(-EIO);
  }
};

struct DirType {
  std::vector<FileSpec> files = {};
  std::vector<SubdirSpec> subdirs = {};
  // The numbered children 0..N-1, for directories that have them.
  std::function<ChildList&(Dir&)> numbered = {};
  // Entries known only at run time, for directories that have them.
  std::function<RuntimeEntries&(Dir&)> runtime = {};
};

class Dir {
 public:
  Dir() = default;
  virtual ~Dir() = default;
  Dir(const Dir&) = delete;
  Dir& operator=(const Dir&) = delete;

  virtual const DirType& type() const = 0;

  uint64_t id() const { return id_; }
  Dir* parent() const { return parent_; }
  // Whether the kernel may hold a dentry for it (a lookup returned it), so
  // its removal must be announced.
  bool looked_up() const { return looked_up_; }
  void mark_looked_up() { looked_up_ = true; }
  // Bumped by every change of its entries (TreeEnv::children_changed).
  uint64_t generation() const { return generation_; }
  // What setattr kept for slot `slot` (0: the directory itself), if anything.
  const NodeMeta* meta(unsigned slot) const;
  NodeMeta& meta_for(unsigned slot);

 private:
  friend struct TreeEnv;
  uint64_t id_ = 0;
  Dir* parent_ = nullptr;
  bool looked_up_ = false;
  uint64_t generation_ = 0;
  // Allocated by the first setattr: most nodes never get one.
  std::unique_ptr<std::unordered_map<unsigned, NodeMeta>> meta_;
};

// Base of every directory type: `T::dir_type()` is T's one declaration.
template <class T>
class TypedDir : public Dir {
 public:
  const DirType& type() const final { return T::dir_type(); }
};

// Numbered child directories, as an nr_* file (or the tried-regions walk)
// makes them. Children are created on first access: a fresh child is all
// defaults, so one that nobody has looked at needs no memory, and a huge
// count costs a pointer per child (the kernel's pointer array).
class ChildList {
 public:
  // The kernel keeps the children in one kmalloc'd pointer array, whose
  // 4 MiB limit allows this many; a larger count fails with ENOMEM.
  static constexpr size_t kMaxChildren = size_t{1} << 19;

  virtual ~ChildList() = default;
  ChildList(const ChildList&) = delete;
  ChildList& operator=(const ChildList&) = delete;

  size_t size() const { return slots_.size(); }
  // Bumped by every rebuild.
  uint64_t generation() const { return generation_; }
  // The directory id child `index` has (or will have once created).
  uint64_t id_of(size_t index) const { return first_id_ + index; }
  // Child `index`, created with its defaults on first access.
  Dir& at(size_t index);
  // Child `index` if it was created, else nullptr.
  Dir* created(size_t index) const { return slots_[index].get(); }
  // Destroys every child and makes `n` fresh ones, even when `n` equals the
  // current count (the kernel's rebuild). -ENOMEM (and no children) when
  // `n` exceeds kMaxChildren.
  int rebuild(size_t n);

  // The index a child name denotes ("0", "1", ... without leading zeros).
  std::optional<size_t> index_of(std::string_view name) const;
  // The type of the children, created or not.
  virtual const DirType& child_type() const = 0;

 protected:
  ChildList(Dir& owner, TreeEnv& env) : owner_(owner), env_(env) {}
  virtual std::unique_ptr<Dir> make(size_t index) = 0;

 private:
  Dir& owner_;
  TreeEnv& env_;
  uint64_t first_id_ = 0;
  uint64_t generation_ = 0;
  std::vector<std::unique_ptr<Dir>> slots_;
};

template <class T>
class Children final : public ChildList {
 public:
  using Factory = std::function<std::unique_ptr<T>(size_t index)>;

  Children(Dir& owner, TreeEnv& env, Factory factory)
      : ChildList(owner, env), factory_(std::move(factory)) {}

  T& at(size_t index) { return static_cast<T&>(ChildList::at(index)); }
  const DirType& child_type() const override { return T::dir_type(); }

 private:
  std::unique_ptr<Dir> make(size_t index) override { return factory_(index); }
  Factory factory_;
};

}  // namespace damonfs::fs
