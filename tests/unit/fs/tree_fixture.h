// Drives a Tree by paths, the way a process drives the mount: every path is
// resolved with lookups from the root, reads and writes go through the
// inode they resolve to.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fs/tree/abi_profile.h"
#include "fs/tree/kdamond_backend.h"
#include "fs/tree/tree.h"

namespace damonfs::fs::test {

// A backend whose answers the test sets, and which keeps `state` commands
// pending until the test completes them.
class FakeBackend final : public KdamondBackend {
 public:
  struct Call {
    KdamondHandle kdamond;
    StateCommand cmd;
    CommandDone done;
  };

  void attach(StagedKdamonds& s) override { staged = &s; }
  bool running(KdamondHandle k) const override { return on.count(k) > 0; }
  int pid(KdamondHandle k) const override { return running(k) ? 4242 : -1; }
  bool any_running() const override { return !on.empty(); }
  void command(StagedKdamond& k, StateCommand cmd, CommandDone done) override {
    calls.push_back({k.handle(), cmd, std::move(done)});
  }
  void refresh_ms_changed(KdamondHandle k, uint32_t ms) override {
    refresh_changes.push_back({k, ms});
  }
  void kdamonds_rebuilt() override { ++rebuilds; }

  StagedKdamonds* staged = nullptr;
  std::set<KdamondHandle> on;
  std::vector<Call> calls;
  int rebuilds = 0;
  std::vector<std::pair<KdamondHandle, uint32_t>> refresh_changes;
};

inline std::string errno_text(long err) {
  return std::string("!") + strerrorname_np(static_cast<int>(-err));
}

template <class Backend>
class TreeTestWith : public ::testing::Test {
 protected:
  explicit TreeTestWith(const AbiProfile& abi = *AbiProfile::find("6.18")) : tree(abi, backend) {
    tree.set_invalidator([this](uint64_t dir, std::vector<std::string> names) {
      invalidations.push_back({dir, std::move(names)});
    });
  }

  // The inode `path` (relative to the mount root) resolves to.
  std::optional<NodeStat> stat(std::string_view path) {
    std::optional<NodeStat> node = tree.getattr(Tree::kRootIno);
    while (node && !path.empty()) {
      size_t slash = path.find('/');
      node = tree.lookup(node->ino, path.substr(0, slash));
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    }
    return node;
  }

  uint64_t ino(std::string_view path) {
    std::optional<NodeStat> n = stat(path);
    EXPECT_TRUE(n) << path;
    return n ? n->ino : 0;
  }

  // The content, or "!ERRNO".
  std::string read_ino(uint64_t ino) {
    std::string out;
    int err = tree.read(ino, out);
    return err ? errno_text(err) : out;
  }
  std::string read(std::string_view path) {
    std::optional<NodeStat> n = stat(path);
    return n ? read_ino(n->ino) : "!ENOENT";
  }

  // "ok", "ok:N" for a short write, "!ERRNO", or "pending" when the store
  // completes later (its outcome is then dropped).
  std::string write_ino(uint64_t ino, std::string_view data) {
    auto result = std::make_shared<std::optional<WriteResult>>();
    tree.write(ino, data, [result](WriteResult r) { *result = r; });
    if (!*result) return "pending";
    if (**result < 0) return errno_text(**result);
    return **result == static_cast<long>(data.size()) ? "ok" : "ok:" + std::to_string(**result);
  }
  std::string write(std::string_view path, std::string_view data) {
    std::optional<NodeStat> n = stat(path);
    return n ? write_ino(n->ino, data) : "!ENOENT";
  }

  // Sorted child names of a directory ("." and ".." left out), dirs with '/'.
  std::vector<std::string> ls(std::string_view path) {
    std::vector<DirEntry> entries;
    std::vector<std::string> names;
    if (tree.readdir(ino(path), entries) != 0) return names;
    for (const DirEntry& e : entries)
      if (e.name != "." && e.name != "..") names.push_back(e.name + (e.stat.is_dir ? "/" : ""));
    std::sort(names.begin(), names.end());
    return names;
  }

  // Every path below `path` with "d"/"f" and its octal mode, like the probe's tree.
  std::map<std::string, std::string> walk(const std::string& path) {
    std::map<std::string, std::string> out;
    std::vector<DirEntry> entries;
    if (tree.readdir(ino(path), entries) != 0) return out;
    for (const DirEntry& e : entries) {
      if (e.name == "." || e.name == "..") continue;
      std::string sub = path.empty() ? e.name : path + "/" + e.name;
      char mode[8];
      snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(e.stat.mode));
      out[sub] = std::string(e.stat.is_dir ? "d " : "f ") + mode;
      if (e.stat.is_dir) out.merge(walk(sub));
    }
    return out;
  }

  // One of every directory, as the conformance probe's "full" configuration.
  void build_full() {
    ASSERT_EQ(write("admin/kdamonds/nr_kdamonds", "1"), "ok");
    ASSERT_EQ(write("admin/kdamonds/0/contexts/nr_contexts", "1"), "ok");
    const std::string c0 = "admin/kdamonds/0/contexts/0/";
    ASSERT_EQ(write(c0 + "targets/nr_targets", "1"), "ok");
    ASSERT_EQ(write(c0 + "targets/0/regions/nr_regions", "1"), "ok");
    ASSERT_EQ(write(c0 + "schemes/nr_schemes", "1"), "ok");
    ASSERT_EQ(write(c0 + "schemes/0/quotas/goals/nr_goals", "1"), "ok");
    for (const char* f : {"filters", "core_filters", "ops_filters"})
      ASSERT_EQ(write(c0 + "schemes/0/" + f + "/nr_filters", "1"), "ok");
    ASSERT_EQ(write(c0 + "schemes/0/dests/nr_dests", "1"), "ok");
  }

  struct Invalidation {
    uint64_t dir;
    std::vector<std::string> vanished;
  };

  Backend backend;
  Tree tree;
  std::vector<Invalidation> invalidations;
};

using TreeTest = TreeTestWith<FakeBackend>;

inline constexpr std::string_view kK0 = "admin/kdamonds/0";
inline constexpr std::string_view kC0 = "admin/kdamonds/0/contexts/0";
inline constexpr std::string_view kS0 = "admin/kdamonds/0/contexts/0/schemes/0";

inline std::string path(std::string_view a, std::string_view b) {
  return std::string(a) + "/" + std::string(b);
}

}  // namespace damonfs::fs::test
