#include "fs/tree/dir.h"

#include <cerrno>

#include "fs/tree/tree_env.h"

namespace damonfs::fs {

Dir& ChildList::at(size_t index) {
  std::unique_ptr<Dir>& slot = slots_.at(index);
  if (!slot) {
    slot = make(index);
    env_.adopt(*slot, &owner_, id_of(index));
  }
  return *slot;
}

int ChildList::rebuild(size_t n) {
  std::vector<std::string> vanished;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i]) continue;
    if (slots_[i]->looked_up()) vanished.push_back(std::to_string(i));
    env_.release(*slots_[i]);
  }
  slots_.clear();
  int err = 0;
  if (n > kMaxChildren) {
    err = -ENOMEM;
    n = 0;
  }
  slots_.resize(n);
  first_id_ = env_.inodes.reserve(n);
  ++generation_;
  env_.children_changed(owner_, std::move(vanished));
  return err;
}

std::optional<size_t> ChildList::index_of(std::string_view name) const {
  if (name.empty() || name.size() > 19 || (name.size() > 1 && name[0] == '0')) return std::nullopt;
  size_t index = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<size_t>(c - '0');
  }
  if (index >= slots_.size()) return std::nullopt;
  return index;
}

void TreeEnv::adopt(Dir& dir, Dir* parent, uint64_t id) {
  dir.id_ = id;
  dir.parent_ = parent;
  inodes.bind(id, dir);
  for (const SubdirSpec& sub : dir.type().subdirs)
    if (abi.has(sub.since)) adopt(sub.get(dir), &dir, inodes.reserve(1));
}

void TreeEnv::release(Dir& dir) {
  inodes.unbind(dir.id());
  for (const SubdirSpec& sub : dir.type().subdirs)
    if (abi.has(sub.since)) release(sub.get(dir));
  if (dir.type().numbered) {
    ChildList& list = dir.type().numbered(dir);
    for (size_t i = 0; i < list.size(); ++i)
      if (Dir* child = list.created(i)) release(*child);
  }
}

const NodeMeta* Dir::meta(unsigned slot) const {
  if (!meta_) return nullptr;
  auto it = meta_->find(slot);
  return it == meta_->end() ? nullptr : &it->second;
}

NodeMeta& Dir::meta_for(unsigned slot) {
  if (!meta_) meta_ = std::make_unique<std::unordered_map<unsigned, NodeMeta>>();
  return (*meta_)[slot];
}

void TreeEnv::children_changed(Dir& dir, std::vector<std::string> vanished) {
  ++dir.generation_;
  // kernfs stamps a directory when its children change: a time set by
  // utime gives way to the one the generation shows.
  if (dir.meta_) {
    if (auto it = dir.meta_->find(0); it != dir.meta_->end()) {
      it->second.mtime.reset();
      it->second.ctime.reset();
    }
  }
  if (invalidator) invalidator(InodeTable::ino(dir.id(), 0), std::move(vanished));
}

}  // namespace damonfs::fs
