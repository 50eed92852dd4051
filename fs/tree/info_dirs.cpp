#include "fs/tree/info_dirs.h"

#include <algorithm>
#include <cerrno>

#include "fs/tree/inode_table.h"
#include "fs/tree/tree_env.h"

namespace damonfs::fs {

InfoEntries::InfoEntries(TreeEnv& env, Dir& owner, Place place, std::vector<std::string> path)
    : env_(env), owner_(owner), place_(place), path_(std::move(path)) {}

InfoEntries::~InfoEntries() = default;

unsigned InfoEntries::first_slot() const {
  return static_cast<unsigned>(owner_.type().files.size()) + 1;
}

std::optional<std::vector<InfoEntry>> InfoEntries::current() const {
  if (!env_.info) return std::nullopt;
  if (place_ == Place::mount_root) return std::vector<InfoEntry>{{std::string(kInfoDirName), true}};
  return env_.info->list(path_);
}

std::vector<std::string> InfoEntries::child_path(const std::string& name) const {
  // damonfs/ is the provider's root: paths below it leave its name out.
  if (place_ == Place::mount_root) return {};
  std::vector<std::string> path = path_;
  path.push_back(name);
  return path;
}

std::optional<RuntimeEntries::Entry> InfoEntries::entry(const InfoEntry& e) {
  if (e.is_dir) {
    auto it = dirs_.find(e.name);
    if (it == dirs_.end()) {
      auto dir = std::make_unique<InfoDir>(env_, child_path(e.name));
      env_.adopt(*dir, &owner_, env_.inodes.reserve(1));
      it = dirs_.emplace(e.name, std::move(dir)).first;
    }
    return Entry{e.name, it->second.get(), 0};
  }
  auto it = std::find(files_.begin(), files_.end(), e.name);
  if (it == files_.end()) {
    if (first_slot() + files_.size() > InodeTable::kMaxFiles) return std::nullopt;
    it = files_.insert(files_.end(), e.name);
    writable_.push_back(false);
  }
  const auto index = static_cast<size_t>(it - files_.begin());
  writable_[index] = e.writable;
  return Entry{e.name, nullptr, first_slot() + static_cast<unsigned>(index)};
}

std::vector<RuntimeEntries::Entry> InfoEntries::list() {
  std::vector<Entry> out;
  if (std::optional<std::vector<InfoEntry>> entries = current()) {
    for (const InfoEntry& e : *entries)
      if (std::optional<Entry> made = entry(e)) out.push_back(std::move(*made));
  }
  return out;
}

std::optional<RuntimeEntries::Entry> InfoEntries::find(std::string_view name) {
  std::optional<std::vector<InfoEntry>> entries = current();
  if (!entries) return std::nullopt;
  for (const InfoEntry& e : *entries)
    if (e.name == name) return entry(e);
  return std::nullopt;
}

bool InfoEntries::has_slot(unsigned slot) const {
  return slot >= first_slot() && slot - first_slot() < files_.size();
}

std::vector<std::string> InfoEntries::file_path(unsigned slot) const {
  std::vector<std::string> path = path_;
  path.push_back(files_[slot - first_slot()]);
  return path;
}

bool InfoEntries::writable(unsigned slot) const {
  return has_slot(slot) && writable_[slot - first_slot()];
}

void InfoEntries::store(unsigned slot, std::string_view data, std::function<void(int)> done) {
  if (!has_slot(slot) || !env_.info) return done(-ENODEV);
  if (!writable(slot)) return done(-EIO);
  env_.info->write(file_path(slot), data, std::move(done));
}

int InfoEntries::show(unsigned slot, std::string& out) const {
  if (!has_slot(slot) || !env_.info) return -ENODEV;
  std::optional<std::string> content = env_.info->read(file_path(slot));
  if (!content) return -ENODEV;
  out = std::move(*content);
  return 0;
}

const DirType& InfoDir::dir_type() {
  static const DirType t{
      .runtime = [](Dir& d) -> RuntimeEntries& { return static_cast<InfoDir&>(d).entries; },
  };
  return t;
}

}  // namespace damonfs::fs
