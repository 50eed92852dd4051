#include "fs/tree/tree.h"

#include <algorithm>
#include <cerrno>

#include "fs/tree/kdamond_dirs.h"
#include "fs/tree/tree_env.h"

namespace damonfs::fs {

class Tree::Impl final : public StagedKdamonds {
 public:
  Impl(const AbiProfile& abi, KdamondBackend& backend) : env_(abi, backend), root_(env_) {
    env_.adopt(root_, nullptr, env_.inodes.reserve(1));
  }

  StagedKdamond* find(KdamondHandle handle) override { return root_.admin.kdamonds.find(handle); }

  void set_invalidator(EntryInvalidator inv) { env_.invalidator = std::move(inv); }

  void set_info(const InfoProvider* provider) {
    const bool vanishes = env_.info && !provider;
    env_.info = provider;
    // The root's link count changes; a detached damonfs/ may be cached.
    std::vector<std::string> vanished;
    if (vanishes) vanished.emplace_back(kInfoDirName);
    env_.children_changed(root_, std::move(vanished));
  }

  std::optional<NodeStat> lookup(uint64_t parent_ino, std::string_view name) {
    Dir* dir = dir_at(parent_ino);
    if (!dir) return std::nullopt;
    const DirType& type = dir->type();
    for (size_t k = 0; k < type.files.size(); ++k)
      if (type.files[k].name == name && visible(type.files[k])) return file_stat(*dir, k);
    for (const SubdirSpec& sub : type.subdirs) {
      if (sub.name != name || !env_.abi.has(sub.since)) continue;
      Dir& child = sub.get(*dir);
      child.mark_looked_up();
      return dir_stat(child);
    }
    if (type.numbered) {
      ChildList& list = type.numbered(*dir);
      if (std::optional<size_t> index = list.index_of(name)) {
        Dir& child = list.at(*index);
        child.mark_looked_up();
        return dir_stat(child);
      }
    }
    if (type.runtime) {
      if (std::optional<RuntimeEntries::Entry> e = type.runtime(*dir).find(name)) {
        if (!e->dir) return runtime_file_stat(*dir, e->slot);
        e->dir->mark_looked_up();
        return dir_stat(*e->dir);
      }
    }
    return std::nullopt;
  }

  std::optional<NodeStat> getattr(uint64_t ino) {
    InodeTable::Split at = InodeTable::split(ino);
    Dir* dir = env_.inodes.find(at.dir_id);
    if (!dir) return std::nullopt;
    if (at.slot == 0) return dir_stat(*dir);
    if (file_at(*dir, at.slot)) return file_stat(*dir, at.slot - 1);
    if (runtime_file(*dir, at.slot)) return runtime_file_stat(*dir, at.slot);
    return std::nullopt;
  }

  int readdir(uint64_t ino, std::vector<DirEntry>& out) {
    InodeTable::Split at = InodeTable::split(ino);
    Dir* dir = env_.inodes.find(at.dir_id);
    if (!dir) return -ENOENT;
    if (at.slot != 0) return -ENOTDIR;
    out.clear();
    const DirType& type = dir->type();
    out.push_back({".", dir_stat(*dir)});
    out.push_back({"..", dir_stat(dir->parent() ? *dir->parent() : *dir)});
    for (size_t k = 0; k < type.files.size(); ++k)
      if (visible(type.files[k]))
        out.push_back({std::string(type.files[k].name), file_stat(*dir, k)});
    for (const SubdirSpec& sub : type.subdirs)
      if (env_.abi.has(sub.since)) out.push_back({std::string(sub.name), dir_stat(sub.get(*dir))});
    if (type.numbered) {
      ChildList& list = type.numbered(*dir);
      for (size_t i = 0; i < list.size(); ++i) {
        Dir* child = list.created(i);
        out.push_back({std::to_string(i), child
                                              ? dir_stat(*child)
                                              : fresh_dir_stat(list.id_of(i), list.child_type())});
      }
    }
    if (type.runtime) {
      for (const RuntimeEntries::Entry& e : type.runtime(*dir).list())
        out.push_back({e.name, e.dir ? dir_stat(*e.dir) : runtime_file_stat(*dir, e.slot)});
    }
    return 0;
  }

  int read(uint64_t ino, std::string& out) {
    InodeTable::Split at = InodeTable::split(ino);
    Dir* dir = env_.inodes.find(at.dir_id);
    if (!dir) return -ENODEV;
    if (at.slot == 0) return -EISDIR;
    const FileSpec* file = file_at(*dir, at.slot);
    if (!file) {
      // Not sysfs: an info file may hold more than a page.
      RuntimeEntries* runtime = runtime_file(*dir, at.slot);
      return runtime ? runtime->show(at.slot, out) : -ENODEV;
    }
    out.clear();
    if (int err = file->show(*dir, env_, out)) return err;
    if (out.size() > kMaxShow) out.resize(kMaxShow);
    return 0;
  }

  void write(uint64_t ino, std::string_view data, WriteDone done) {
    InodeTable::Split at = InodeTable::split(ino);
    Dir* dir = env_.inodes.find(at.dir_id);
    if (!dir) return done(-ENODEV);
    if (at.slot == 0) return done(-EISDIR);
    const FileSpec* file = file_at(*dir, at.slot);
    if (!file) {
      RuntimeEntries* runtime = runtime_file(*dir, at.slot);
      if (!runtime) return done(-ENODEV);
      if (!runtime->writable(at.slot)) return done(-EIO);
      return runtime->store(at.slot, data, [done = std::move(done), n = data.size()](int err) {
        done(err ? err : static_cast<long>(n));
      });
    }
    if (!file->writable()) return done(-EIO);
    // A zero-length write stores nothing; the kernel returns before the store.
    if (data.empty()) return done(0);
    const long accepted = static_cast<long>(std::min(data.size(), kMaxStore));
    std::string_view input = data.substr(0, static_cast<size_t>(accepted));
    input = input.substr(0, input.find('\0'));
    if (file->store) {
      int err = file->store(*dir, env_, input);
      return done(err ? err : accepted);
    }
    file->store_async(*dir, env_, input,
                      [done = std::move(done), accepted](int err) { done(err ? err : accepted); });
  }

  int setattr(uint64_t ino, const NodeMeta& change) {
    InodeTable::Split at = InodeTable::split(ino);
    Dir* dir = env_.inodes.find(at.dir_id);
    if (!dir || (at.slot != 0 && !file_at(*dir, at.slot) && !runtime_file(*dir, at.slot)))
      return -ENOENT;
    NodeMeta& meta = dir->meta_for(at.slot);
    if (change.mode) meta.mode = change.mode;
    if (change.uid) meta.uid = change.uid;
    if (change.gid) meta.gid = change.gid;
    if (change.atime) meta.atime = change.atime;
    if (change.mtime) meta.mtime = change.mtime;
    if (change.ctime) meta.ctime = change.ctime;
    return 0;
  }

 private:
  Dir* dir_at(uint64_t ino) const {
    InodeTable::Split at = InodeTable::split(ino);
    return at.slot == 0 ? env_.inodes.find(at.dir_id) : nullptr;
  }

  // The file in `slot` (1-based) of `dir`, if the profile shows it.
  const FileSpec* file_at(const Dir& dir, unsigned slot) const {
    const std::vector<FileSpec>& files = dir.type().files;
    if (slot > files.size() || !visible(files[slot - 1])) return nullptr;
    return &files[slot - 1];
  }

  // The runtime entries of `dir` if `slot` is one of their files.
  RuntimeEntries* runtime_file(Dir& dir, unsigned slot) const {
    if (!dir.type().runtime) return nullptr;
    RuntimeEntries& runtime = dir.type().runtime(dir);
    return runtime.has_slot(slot) ? &runtime : nullptr;
  }

  bool visible(const FileSpec& file) const { return env_.abi.has(file.since); }

  static NodeStat with_meta(const Dir& dir, unsigned slot, NodeStat st) {
    if (const NodeMeta* meta = dir.meta(slot)) st.meta = *meta;
    return st;
  }

  // Info files are read-only, like sysfs's 0400 files, unless their
  // provider takes writes.
  NodeStat runtime_file_stat(Dir& dir, unsigned slot) const {
    RuntimeEntries* runtime = runtime_file(dir, slot);
    const mode_t mode = runtime && runtime->writable(slot) ? 0600 : 0400;
    return with_meta(dir, slot, {InodeTable::ino(dir.id(), slot), false, mode, 4096, 1});
  }

  NodeStat file_stat(const Dir& dir, size_t index) const {
    const FileSpec& file = dir.type().files[index];
    const auto slot = static_cast<unsigned>(index + 1);
    return with_meta(dir, slot,
                     {InodeTable::ino(dir.id(), slot), false,
                      static_cast<mode_t>(file.writable() ? 0600 : 0400), 4096, 1});
  }

  uint32_t visible_subdirs(const DirType& type) const {
    uint32_t n = 0;
    for (const SubdirSpec& sub : type.subdirs) n += env_.abi.has(sub.since) ? 1 : 0;
    return n;
  }

  NodeStat dir_stat(Dir& dir) const {
    const DirType& type = dir.type();
    uint32_t nlink = 2 + visible_subdirs(type);
    if (type.numbered) nlink += static_cast<uint32_t>(type.numbered(dir).size());
    if (type.runtime) {
      for (const RuntimeEntries::Entry& e : type.runtime(dir).list()) nlink += e.dir ? 1 : 0;
    }
    // The root's runtime entry (damonfs/) comes and goes only with
    // set_info(), which announces it; the info directories' entries are
    // whatever the provider lists at the moment.
    const bool unannounced = type.runtime && &dir != &root_;
    return with_meta(dir, 0,
                     {InodeTable::ino(dir.id(), 0), true, 0755, 0, nlink, dir.generation(),
                      unannounced});
  }

  // A numbered child nobody has created yet: fresh children have no
  // numbered children of their own.
  NodeStat fresh_dir_stat(uint64_t id, const DirType& type) const {
    return {InodeTable::ino(id, 0), true, 0755, 0, 2 + visible_subdirs(type)};
  }

  TreeEnv env_;
  RootDir root_;
};

Tree::Tree(const AbiProfile& abi, KdamondBackend& backend)
    : impl_(std::make_unique<Impl>(abi, backend)) {
  backend.attach(*impl_);
}

Tree::~Tree() = default;

void Tree::set_invalidator(EntryInvalidator inv) { impl_->set_invalidator(std::move(inv)); }

void Tree::set_info(const InfoProvider* provider) { impl_->set_info(provider); }

std::optional<NodeStat> Tree::lookup(uint64_t parent_ino, std::string_view name) {
  return impl_->lookup(parent_ino, name);
}

std::optional<NodeStat> Tree::getattr(uint64_t ino) const { return impl_->getattr(ino); }

int Tree::readdir(uint64_t ino, std::vector<DirEntry>& out) const {
  return impl_->readdir(ino, out);
}

int Tree::read(uint64_t ino, std::string& out) const { return impl_->read(ino, out); }

void Tree::write(uint64_t ino, std::string_view data, WriteDone done) {
  impl_->write(ino, data, std::move(done));
}

int Tree::setattr(uint64_t ino, const NodeMeta& change) { return impl_->setattr(ino, change); }

}  // namespace damonfs::fs
