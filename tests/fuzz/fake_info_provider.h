// An info provider (fs/tree/info_provider.h) whose files the fuzz script
// creates and removes at will, the way a machine's processes come and go
// under damonfs/: the tree hears of none of it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fs/tree/info_provider.h"

namespace damonfs::fs::fuzz {

class FakeInfoProvider final : public InfoProvider {
 public:
  using Path = std::vector<std::string>;

  // Bounds that keep an input fast.
  static constexpr size_t kMaxFiles = 32;
  static constexpr size_t kMaxDepth = 3;

  // `path` as a file holding `content`; whatever stood in its way (a file
  // where a directory must be, a directory where the file goes) is removed.
  void put(const Path& path, std::string content) {
    if (path.empty() || path.size() > kMaxDepth) return;
    for (size_t n = 1; n < path.size(); ++n) files_.erase(Path(path.begin(), path.begin() + n));
    remove_below(path);
    if (!files_.contains(path) && files_.size() >= kMaxFiles) return;
    files_[path] = std::move(content);
  }

  // The file `path`, or everything below the directory `path`.
  void remove(const Path& path) {
    files_.erase(path);
    remove_below(path);
  }

  std::optional<std::vector<InfoEntry>> list(std::span<const std::string> dir) const override {
    std::vector<InfoEntry> out;
    bool exists = dir.empty();
    for (const auto& [path, content] : files_) {
      if (path.size() <= dir.size() || !std::equal(dir.begin(), dir.end(), path.begin())) continue;
      exists = true;
      const std::string& name = path[dir.size()];
      const bool is_dir = path.size() > dir.size() + 1;
      if (out.empty() || out.back().name != name) out.push_back({name, is_dir});
    }
    if (!exists) return std::nullopt;
    return out;
  }

  std::optional<std::string> read(std::span<const std::string> file) const override {
    auto it = files_.find(Path(file.begin(), file.end()));
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }

 private:
  void remove_below(const Path& dir) {
    std::erase_if(files_, [&dir](const auto& entry) {
      const Path& path = entry.first;
      return path.size() > dir.size() && std::equal(dir.begin(), dir.end(), path.begin());
    });
  }

  // Directories are the prefixes of file paths; sorted, so a directory's
  // entries come together.
  std::map<Path, std::string> files_;
};

}  // namespace damonfs::fs::fuzz
