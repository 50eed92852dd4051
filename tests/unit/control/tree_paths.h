// Reaching a Tree by paths, as a process reaches the mount: every path is
// resolved with lookups from the root. Call on the tree's thread only.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs/tree/tree.h"

namespace damonfs::fs::test {

using Strings = std::vector<std::string>;

inline std::string errno_text(long err) {
  return std::string("!") + strerrorname_np(static_cast<int>(-err));
}

class TreePaths {
 public:
  explicit TreePaths(Tree& tree) : tree_(tree) {}

  // The node `path` (relative to the mount root) resolves to.
  std::optional<NodeStat> stat(std::string_view path) const {
    std::optional<NodeStat> node = tree_.getattr(Tree::kRootIno);
    while (node && !path.empty()) {
      size_t slash = path.find('/');
      node = tree_.lookup(node->ino, path.substr(0, slash));
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    }
    return node;
  }

  // The content, or "!ERRNO".
  std::string read(std::string_view path) const {
    std::optional<NodeStat> n = stat(path);
    if (!n) return "!ENOENT";
    std::string out;
    int err = tree_.read(n->ino, out);
    return err ? errno_text(err) : out;
  }

  // A number file's value; -1 when it cannot be read.
  long long number(std::string_view path) const {
    std::string s = read(path);
    return s.empty() || s[0] == '!' ? -1 : std::stoll(s);
  }

  // Starts a write; `done` gets "ok" or "!ERRNO", now or later.
  template <class Done>
  void write(std::string_view path, std::string_view data, Done done) const {
    std::optional<NodeStat> n = stat(path);
    if (!n) return done(std::string("!ENOENT"));
    tree_.write(n->ino, data, [done, size = data.size()](WriteResult r) mutable {
      if (r < 0) return done(errno_text(r));
      done(r == static_cast<long>(size) ? std::string("ok") : "ok:" + std::to_string(r));
    });
  }

  // Sorted child names ("." and ".." left out), directories with '/'; or
  // {"!ERRNO"}.
  Strings ls(std::string_view path) const {
    std::optional<NodeStat> n = stat(path);
    if (!n) return {"!ENOENT"};
    std::vector<DirEntry> entries;
    if (int err = tree_.readdir(n->ino, entries)) return {errno_text(err)};
    Strings names;
    for (const DirEntry& e : entries)
      if (e.name != "." && e.name != "..") names.push_back(e.name + (e.stat.is_dir ? "/" : ""));
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  Tree& tree_;
};

}  // namespace damonfs::fs::test
