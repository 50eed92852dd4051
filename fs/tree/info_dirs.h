// The read-only info subtree (info_provider.h) as tree directories: the
// mount root shows damonfs/ once a provider is attached, and every
// directory below it shows what the provider lists.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs/tree/dir.h"
#include "fs/tree/info_provider.h"

namespace damonfs::fs {

class InfoDir;

// One directory's provider entries, given inodes: subdirectories become
// InfoDirs at first sight and files get the next free slot. Both outlive
// their disappearance from the provider's listing (inodes are never
// reused), so a name that comes back finds its old inode; a vanished file
// reads ENODEV. A directory thus has room for InodeTable::kMaxFiles file
// names over its life; later ones are not shown.
class InfoEntries final : public RuntimeEntries {
 public:
  // At the mount root: the single entry damonfs/ while a provider is
  // attached. Elsewhere: the provider's directory at `path`.
  enum class Place { mount_root, info };

  InfoEntries(TreeEnv& env, Dir& owner, Place place, std::vector<std::string> path);
  ~InfoEntries() override;

  std::vector<Entry> list() override;
  std::optional<Entry> find(std::string_view name) override;
  bool has_slot(unsigned slot) const override;
  int show(unsigned slot, std::string& out) const override;
  bool writable(unsigned slot) const override;
  void store(unsigned slot, std::string_view data, std::function<void(int)> done) override;

 private:
  // Runtime files take the inode slots after the owner's declared files.
  unsigned first_slot() const;

  std::optional<std::vector<InfoEntry>> current() const;
  std::vector<std::string> file_path(unsigned slot) const;
  // nullopt when the directory is out of file slots.
  std::optional<Entry> entry(const InfoEntry& e);
  std::vector<std::string> child_path(const std::string& name) const;

  TreeEnv& env_;
  Dir& owner_;
  Place place_;
  std::vector<std::string> path_;
  std::vector<std::string> files_;  // slot first_slot() + i names files_[i]
  std::vector<bool> writable_;      // as the provider last listed files_[i]
  std::map<std::string, std::unique_ptr<InfoDir>, std::less<>> dirs_;
};

// damonfs/ and the directories below it.
class InfoDir final : public TypedDir<InfoDir> {
 public:
  InfoDir(TreeEnv& env, std::vector<std::string> path)
      : entries(env, *this, InfoEntries::Place::info, std::move(path)) {}
  static const DirType& dir_type();

  InfoEntries entries;
};

}  // namespace damonfs::fs
