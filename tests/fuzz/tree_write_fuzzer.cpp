// libFuzzer target: drives a Tree the way processes drive the mount, with
// scripts decoded from the fuzz input (fuzz_script.h), and checks after every
// step what must hold whatever was written:
//
// - a store answers the byte count it took or an errno the spec allows for
//   that file, exactly once; read-only files EIO, directories EISDIR;
// - a sysfs file reads at most a page minus one, newline-terminated;
// - readdir, lookup and getattr agree on every entry (inode, type, mode,
//   link count), "." and ".." come first, the link count counts the
//   subdirectories, and every nr_* file reads the number of numbered
//   children its directory lists (0..N-1);
// - a directory lists the same entries for as long as its generation stays
//   (the FUSE layer lets the kernel cache listings on that promise);
// - what a file shows can be stored back unchanged;
// - inodes of removed directories and made-up inode numbers answer
//   ENODEV/ENOENT and never reach freed memory (ASan);
// - the sysfs global lock: while a state command waits, nr_* and state
//   writes and state/pid reads fail with EBUSY;
// - damonfs/ (an info provider the script fills and empties, attaches and
//   detaches: fake_info_provider.h) lists and reads what the provider holds
//   at that moment, and a file that has gone reads ENODEV.
//
// The first input byte picks the ABI profile (bit 0: 6.18, else latest) and
// the backend (bit 1: ScriptedBackend, else NoEngineBackend). nr_* values
// stay small (kMaxFuzzChildren) so that one input runs in microseconds;
// counts above the kernel's limit are still tried (they fail with ENOMEM
// before allocating anything).
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fs/tree/abi_profile.h"
#include "fs/tree/dir.h"
#include "fs/tree/info_provider.h"
#include "fs/tree/kernel_parse.h"
#include "fs/tree/probe_dirs.h"
#include "tests/support/no_engine_backend.h"
#include "fs/tree/tree.h"
#include "tests/fuzz/fake_info_provider.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_script.h"
#include "tests/fuzz/scripted_backend.h"

namespace damonfs::fs::fuzz {
namespace {

constexpr int32_t kMaxFuzzChildren = 12;
constexpr size_t kMaxOps = 200;
constexpr size_t kMaxWalkNodes = 1500;
constexpr size_t kMaxHistory = 512;

bool same(const NodeStat& a, const NodeStat& b) {
  return a.ino == b.ino && a.is_dir == b.is_dir && a.mode == b.mode && a.size == b.size &&
         a.nlink == b.nlink;
}

bool is_number_name(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// nr_kdamonds, nr_contexts, ... nr_dests: the files that set how many
// numbered children their directory has. Not stats/nr_tried and the like
// (read-only counters) nor weights/nr_accesses_permil.
bool is_count_file(std::string_view name, const NodeStat& stat) {
  return !stat.is_dir && (stat.mode & 0200) && name.starts_with("nr_") &&
         name.find('_', 3) == std::string_view::npos;
}

uint64_t hash(std::string_view s) {
  uint64_t h = 1469598103934665603u;  // FNV-1a
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211u;
  return h;
}

// A resolved path: the node, its parent directory, its name there and the
// components that lead to it from the mount root.
struct Node {
  NodeStat stat;
  uint64_t parent = Tree::kRootIno;
  std::string name;
  std::vector<std::string> path;

  Node child(const NodeStat& child_stat, const std::string& child_name) const {
    std::vector<std::string> child_path = path;
    child_path.push_back(child_name);
    return {child_stat, stat.ino, child_name, std::move(child_path)};
  }
  // Below damonfs/: what the info provider shows.
  bool in_info() const { return !path.empty() && path[0] == kInfoDirName; }
  // The provider's path for it (the components below damonfs/).
  std::vector<std::string> info_path() const { return {path.begin() + 1, path.end()}; }
};

// Components of a script path for the info provider: short, never "." or
// "..", at most FakeInfoProvider::kMaxDepth.
std::vector<std::string> info_components(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty() && out.size() < FakeInfoProvider::kMaxDepth) {
    size_t slash = path.find('/');
    std::string comp(path.substr(0, std::min<size_t>(slash, 8)));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (!comp.empty() && comp != "." && comp != "..") out.push_back(std::move(comp));
  }
  return out;
}

// One Tree::write whose `done` may come later.
struct PendingWrite {
  std::string name;
  long accepted = 0;
  int calls = 0;
  long result = 0;
};

class TreeDriver {
 public:
  TreeDriver(Tree& tree, ScriptedBackend* scripted) : tree_(tree), scripted_(scripted) {
    tree_.set_invalidator([this](uint64_t dir_ino, std::vector<std::string> vanished) {
      std::optional<NodeStat> dir = tree_.getattr(dir_ino);
      FUZZ_CHECK(dir && dir->is_dir, "invalidation of a non-directory");
      for (const std::string& name : vanished)
        FUZZ_CHECK(is_number_name(name) || name == kInfoDirName, "vanished " + name);
    });
  }

  ~TreeDriver() {
    tree_.set_invalidator(nullptr);
    tree_.set_info(nullptr);  // the provider goes with the driver
  }

  void run(const Op& op) {
    static constexpr std::string_view kOps = "wnrdlbopaixI";
    unsigned char kind = op.kind;
    if (kOps.find(static_cast<char>(kind)) == std::string_view::npos)
      kind = static_cast<unsigned char>(kOps[kind % kOps.size()]);
    if (trace_) std::fprintf(stderr, "%c %s\n", kind, op.path.c_str());
    switch (kind) {
      case 'w':
        return store(resolve(op.path), op.data);
      case 'n':
        return store_nr(resolve(op.path), op.data);
      case 'r':
        return show(resolve(op.path));
      case 'd':
        return check_dir(directory_of(resolve(op.path)));
      case 'l':
        return check_lookup(directory_of(resolve(op.path)), op.data);
      case 'b':
        return store_back(resolve(op.path));
      case 'o':
        return probe(op.data);
      case 'p':
        return pump();
      case 'a':
        return walk_all();
      case 'i':
        return info_.put(info_components(op.path), op.data);
      case 'x':
        return info_.remove(info_components(op.path));
      case 'I':
        attached_ = !attached_;
        return tree_.set_info(attached_ ? &info_ : nullptr);
    }
  }

  // Lets every waiting command finish: each write is answered exactly once.
  void finish() {
    while (scripted_ && scripted_->pending()) pump();
    for (const auto& w : deferred_) FUZZ_CHECK(w->calls == 1, w->name);
  }

 private:
  bool locked() const { return scripted_ && scripted_->pending(); }
  bool any_running() const { return scripted_ && scripted_->any_running(); }

  void remember(const Node& node) {
    if (history_.size() == kMaxHistory) history_.erase(history_.begin());
    history_.push_back(node);
  }

  // Every component that names an entry is followed; one that names
  // nothing picks an entry by its hash, so every path leads somewhere.
  Node resolve(std::string_view path) {
    Node node{*tree_.getattr(Tree::kRootIno), Tree::kRootIno, "", {}};
    std::string trail;
    while (!path.empty() && node.stat.is_dir) {
      size_t slash = path.find('/');
      std::string_view comp = path.substr(0, slash);
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
      if (comp.empty()) continue;
      std::string name(comp);
      std::optional<NodeStat> child = tree_.lookup(node.stat.ino, name);
      if (!child) {
        std::vector<DirEntry> entries;
        FUZZ_CHECK(tree_.readdir(node.stat.ino, entries) == 0, "readdir of a live directory");
        if (entries.size() <= 2) break;
        name = entries[2 + hash(comp) % (entries.size() - 2)].name;
        child = tree_.lookup(node.stat.ino, name);
        FUZZ_CHECK(child, "lookup of a listed name " + name);
      }
      node = node.child(*child, name);
      trail += "/" + name;
    }
    if (trace_) std::fprintf(stderr, "  at %s\n", trail.c_str());
    remember(node);
    return node;
  }

  Node directory_of(const Node& node) {
    if (node.stat.is_dir) return node;
    return {*tree_.getattr(node.parent), node.parent, "..",
            {node.path.begin(), node.path.end() - 1}};
  }

  std::optional<std::string> read_file(const Node& node) {
    std::string out;
    int err = tree_.read(node.stat.ino, out);
    if (node.stat.is_dir) {
      FUZZ_CHECK(err == -EISDIR, node.name);
      return std::nullopt;
    }
    if (node.in_info()) {
      std::optional<std::string> held =
          attached_ ? info_.read(node.info_path()) : std::optional<std::string>();
      FUZZ_CHECK(held ? err == 0 && out == *held : err == -ENODEV, "info file " + node.name);
      return held;
    }
    if (err) {
      FUZZ_CHECK(err == -EBUSY && locked() && (node.name == "state" || node.name == "pid"),
                 node.name + " read: " + std::to_string(err));
      return std::nullopt;
    }
    FUZZ_CHECK(!out.empty() && out.size() <= Tree::kMaxShow, node.name);
    FUZZ_CHECK(out.back() == '\n' || out.size() == Tree::kMaxShow, node.name);
    return out;
  }

  void show(const Node& node) { read_file(node); }

  // Whether storing `data` could make an nr_* file create more children
  // than the fuzzer allows (but not so many that the kernel's limit
  // refuses them at once).
  static bool too_many_children(const Node& node, std::string_view data) {
    if (!is_count_file(node.name, node.stat)) return false;
    std::string_view input = data.substr(0, std::min(data.size(), Tree::kMaxStore));
    input = input.substr(0, input.find('\0'));
    int32_t n = 0;
    if (kernel::kstrtoint(input, n) != 0) return false;
    return n > kMaxFuzzChildren && static_cast<size_t>(n) <= ChildList::kMaxChildren;
  }

  // One write and the checks every store obeys; returns the result when
  // it came at once.
  std::optional<long> write(const Node& node, std::string_view data) {
    const bool was_locked = locked();
    auto w = std::make_shared<PendingWrite>();
    w->name = node.name;
    w->accepted = static_cast<long>(std::min(data.size(), Tree::kMaxStore));
    tree_.write(node.stat.ino, data, [w](WriteResult r) {
      ++w->calls;
      w->result = r;
    });
    if (w->calls == 0) {
      FUZZ_CHECK(node.name == "state" && scripted_ && locked(), "a store that did not finish");
      deferred_.push_back(w);
      return std::nullopt;
    }
    FUZZ_CHECK(w->calls == 1, node.name);
    const long r = w->result;
    if (trace_) std::fprintf(stderr, "  write %zu bytes: %ld\n", data.size(), r);
    const std::string what = node.name + " <- '" + std::string(data.substr(0, 40)) +
                             "': " + std::to_string(r);
    if (node.stat.is_dir) {
      FUZZ_CHECK(r == -EISDIR, what);
    } else if (!(node.stat.mode & 0200)) {
      FUZZ_CHECK(r == -EIO, what);
    } else if (data.empty()) {
      FUZZ_CHECK(r == 0, what);
    } else if (r >= 0) {
      FUZZ_CHECK(r == w->accepted, what);
      FUZZ_CHECK(!was_locked || !(node.name == "state" || is_count_file(node.name, node.stat)),
                 what);
    } else {
      FUZZ_CHECK(r == -EINVAL || r == -ERANGE || r == -EBUSY || r == -ENOMEM || r == -EPERM, what);
      if (r == -EBUSY) {
        FUZZ_CHECK(was_locked || node.name == "state" ||
                       (node.name == "nr_kdamonds" && any_running()),
                   what);
      }
      if (r == -ENOMEM)
        FUZZ_CHECK(node.name == "state" || is_count_file(node.name, node.stat), what);
      if (r == -EPERM) FUZZ_CHECK(node.name == "state", what);
      if (was_locked && node.name == "state") FUZZ_CHECK(r == -EBUSY, what);
    }
    return r;
  }

  void store(const Node& node, std::string_view data) {
    if (too_many_children(node, data)) return;
    const bool count = is_count_file(node.name, node.stat);
    if (write(node, data) == -ENOMEM && count)
      FUZZ_CHECK(read_file(node) == "0\n", "nr_* after ENOMEM");
    show(node);
    if (count || node.name == "state") check_dir(directory_of(node));
  }

  // An nr_* write of a small count (or, after '!', of one beyond the
  // kernel's limit), and the directory it reshapes.
  void store_nr(const Node& node, std::string_view data) {
    Node dir = directory_of(node);
    std::vector<DirEntry> entries;
    FUZZ_CHECK(tree_.readdir(dir.stat.ino, entries) == 0, dir.name);
    auto nr = std::find_if(entries.begin(), entries.end(), [](const DirEntry& e) {
      return is_count_file(e.name, e.stat);
    });
    if (nr == entries.end()) return;
    const bool huge = data.starts_with("!");
    uint64_t n = 0;
    for (char c : data.substr(huge ? 1 : 0, 6))
      if (c >= '0' && c <= '9') n = n * 10 + static_cast<uint64_t>(c - '0');
    n = huge ? ChildList::kMaxChildren + 1 + n : n % (kMaxFuzzChildren + 1);
    const Node file = dir.child(nr->stat, nr->name);
    const bool was_locked = locked();
    const std::string text = std::to_string(n) + "\n";
    std::optional<long> r = write(file, text);
    FUZZ_CHECK(r, "nr_* store finishes at once");
    long expected = static_cast<long>(text.size());
    if ((file.name == "nr_contexts" && n > 1) || (file.name == "nr_probes" && n > kMaxProbes))
      expected = -EINVAL;
    else if (was_locked || (file.name == "nr_kdamonds" && any_running()))
      expected = -EBUSY;
    else if (huge)
      expected = -ENOMEM;
    FUZZ_CHECK(*r == expected, file.name + " <- " + text + std::to_string(*r));
    if (*r > 0) FUZZ_CHECK(read_file(file) == text, file.name);
    check_dir(dir);
  }

  // readdir, lookup and getattr agree; nr_* counts the numbered children.
  void check_dir(const Node& dir) {
    const uint64_t ino = dir.stat.ino;
    std::vector<DirEntry> entries;
    FUZZ_CHECK(tree_.readdir(ino, entries) == 0, dir.name);
    std::optional<NodeStat> self = tree_.getattr(ino);
    std::optional<NodeStat> parent = tree_.getattr(dir.parent);
    FUZZ_CHECK(self && parent && entries.size() >= 2, dir.name);
    FUZZ_CHECK(entries[0].name == "." && same(entries[0].stat, *self), dir.name);
    FUZZ_CHECK(entries[1].name == ".." && entries[1].stat.is_dir, dir.name);
    if (dir.name != "..") FUZZ_CHECK(same(entries[1].stat, *parent), dir.name);
    std::set<std::string> names;
    uint32_t subdirs = 0;
    size_t numbered = 0;
    std::optional<std::string> nr_content;
    for (size_t i = 2; i < entries.size(); ++i) {
      const DirEntry& e = entries[i];
      FUZZ_CHECK(!e.name.empty() && e.name.find('/') == std::string::npos, e.name);
      FUZZ_CHECK(names.insert(e.name).second, "duplicate entry " + e.name);
      std::optional<NodeStat> looked = tree_.lookup(ino, e.name);
      std::optional<NodeStat> attr = tree_.getattr(e.stat.ino);
      FUZZ_CHECK(looked && same(*looked, e.stat), "lookup disagrees with readdir: " + e.name);
      FUZZ_CHECK(attr && same(*attr, e.stat), "getattr disagrees with readdir: " + e.name);
      if (e.stat.is_dir) {
        ++subdirs;
        FUZZ_CHECK(e.stat.mode == 0755 && e.stat.size == 0 && e.stat.nlink >= 2, e.name);
        if (is_number_name(e.name) && !dir.in_info()) {
          FUZZ_CHECK(e.name == std::to_string(numbered), "numbered entries out of order");
          ++numbered;
        }
      } else {
        FUZZ_CHECK((e.stat.mode == 0600 || e.stat.mode == 0400) && e.stat.size == 4096 &&
                       e.stat.nlink == 1,
                   e.name);
        if (is_count_file(e.name, e.stat)) nr_content = read_file(dir.child(e.stat, e.name));
      }
    }
    FUZZ_CHECK(self->nlink == 2 + subdirs, dir.name + " link count");
    FUZZ_CHECK(self->unannounced_changes == dir.in_info(), dir.name);
    if (dir.in_info()) return check_info_dir(dir, entries);
    if (dir.path.empty())
      FUZZ_CHECK(names.contains(std::string(kInfoDirName)) == attached_, "damonfs/ at the root");
    std::vector<std::string> listed;
    for (const DirEntry& e : entries) listed.push_back(e.name + "@" + std::to_string(e.stat.ino));
    auto [seen, fresh] = listings_.try_emplace(ino, self->generation, listed);
    if (!fresh && seen->second.first == self->generation)
      FUZZ_CHECK(seen->second.second == listed, dir.name + ": entries changed, generation did not");
    seen->second = {self->generation, std::move(listed)};
    if (nr_content)
      FUZZ_CHECK(*nr_content == std::to_string(numbered) + "\n",
                 dir.name + ": nr_* reads " + *nr_content + " but " + std::to_string(numbered) +
                     " listed");
  }

  // An info directory lists what the provider lists (nothing once it has
  // gone or the provider is detached).
  void check_info_dir(const Node& dir, const std::vector<DirEntry>& entries) {
    std::optional<std::vector<InfoEntry>> held =
        attached_ ? info_.list(dir.info_path()) : std::optional<std::vector<InfoEntry>>();
    std::vector<InfoEntry> expected = held ? *held : std::vector<InfoEntry>();
    FUZZ_CHECK(entries.size() == 2 + expected.size(), "info directory " + dir.name);
    for (size_t i = 0; i < expected.size(); ++i) {
      FUZZ_CHECK(entries[2 + i].name == expected[i].name &&
                     entries[2 + i].stat.is_dir == expected[i].is_dir,
                 "info entry " + expected[i].name);
      if (!expected[i].is_dir) FUZZ_CHECK(entries[2 + i].stat.mode == 0400, expected[i].name);
    }
  }

  // A lookup finds exactly what readdir lists.
  void check_lookup(const Node& dir, const std::string& name) {
    std::vector<DirEntry> entries;
    FUZZ_CHECK(tree_.readdir(dir.stat.ino, entries) == 0, dir.name);
    std::optional<NodeStat> found = tree_.lookup(dir.stat.ino, name);
    auto listed = std::find_if(entries.begin() + 2, entries.end(),
                               [&](const DirEntry& e) { return e.name == name; });
    if (found) {
      FUZZ_CHECK(listed != entries.end() && same(listed->stat, *found), "lookup of " + name);
    } else {
      FUZZ_CHECK(listed == entries.end(), "listed but not found: " + name);
    }
  }

  // What a file shows, stored back, shows the same. Exceptions: `state`
  // shows a status but takes commands, paths show one more newline than
  // they hold, and a filter's default type may be one its layer refuses.
  void store_back(const Node& node) {
    std::optional<std::string> content = read_file(node);
    if (!content || !(node.stat.mode & 0200)) return;
    std::optional<long> r = write(node, *content);
    if (!r) return;
    if (*r < 0) {
      FUZZ_CHECK(node.name == "state" || node.name == "type" || *r == -EBUSY,
                 node.name + " refuses its own content " + *content);
      return;
    }
    if (node.name == "state" || node.name == "memcg_path" || node.name == "path") return;
    FUZZ_CHECK(read_file(node) == content, node.name + " changed by storing it back");
    if (is_count_file(node.name, node.stat)) check_dir(directory_of(node));
  }

  // An inode from earlier (maybe removed since), or any number after '#'.
  // An info file from earlier reads what the provider now holds at its path,
  // or ENODEV.
  void probe(std::string_view data) {
    uint64_t ino = 0;
    if (data.starts_with("#")) {
      for (char c : data.substr(1, 19))
        if (c >= '0' && c <= '9') ino = ino * 10 + static_cast<uint64_t>(c - '0');
    } else if (!history_.empty()) {
      const Node& old = history_[hash(data) % history_.size()];
      if (old.in_info() && !old.stat.is_dir) read_file(old);
      ino = old.stat.ino;
    }
    std::optional<NodeStat> st = tree_.getattr(ino);
    std::string out;
    int read_err = tree_.read(ino, out);
    std::vector<DirEntry> entries;
    int dir_err = tree_.readdir(ino, entries);
    std::optional<NodeStat> child = tree_.lookup(ino, "0");
    if (st) {
      FUZZ_CHECK(st->ino == ino, "getattr answers another inode");
      FUZZ_CHECK(st->is_dir ? read_err == -EISDIR && dir_err == 0 : dir_err == -ENOTDIR,
                 std::to_string(ino));
      if (!st->is_dir) FUZZ_CHECK(!child, "lookup in a file");
      return;
    }
    FUZZ_CHECK(read_err == -ENODEV, std::to_string(ino));
    FUZZ_CHECK(dir_err == -ENOENT || dir_err == -ENOTDIR, std::to_string(ino));
    FUZZ_CHECK(!child, std::to_string(ino));
    long result = 1;
    tree_.write(ino, "1\n", [&result](WriteResult r) { result = r; });
    FUZZ_CHECK(result == -ENODEV, "store to a removed inode " + std::to_string(ino));
  }

  void pump() {
    if (!scripted_) return;
    const size_t before = std::count_if(deferred_.begin(), deferred_.end(),
                                        [](const auto& w) { return w->calls > 0; });
    scripted_->complete_one();
    for (const auto& w : deferred_) {
      FUZZ_CHECK(w->calls <= 1, "a store answered twice");
      if (w->calls == 1)
        FUZZ_CHECK(w->result == w->accepted || w->result == -EINVAL || w->result == -ENOMEM,
                   "state: " + std::to_string(w->result));
    }
    const size_t after = std::count_if(deferred_.begin(), deferred_.end(),
                                       [](const auto& w) { return w->calls > 0; });
    FUZZ_CHECK(after <= before + 1, "one completion answered several stores");
  }

  // damo's way: every directory listed and checked, every file read.
  void walk_all() {
    std::vector<Node> todo{{*tree_.getattr(Tree::kRootIno), Tree::kRootIno, "", {}}};
    for (size_t seen = 0; !todo.empty() && seen < kMaxWalkNodes; ++seen) {
      Node node = std::move(todo.back());
      todo.pop_back();
      if (!node.stat.is_dir) {
        show(node);
        continue;
      }
      check_dir(node);
      std::vector<DirEntry> entries;
      FUZZ_CHECK(tree_.readdir(node.stat.ino, entries) == 0, node.name);
      for (size_t i = 2; i < entries.size(); ++i)
        todo.push_back(node.child(entries[i].stat, entries[i].name));
    }
  }

  Tree& tree_;
  ScriptedBackend* scripted_;
  // TREE_FUZZ_TRACE=1: print where each path led and what each store gave,
  // to read a crashing input.
  const bool trace_ = std::getenv("TREE_FUZZ_TRACE") != nullptr;
  FakeInfoProvider info_;
  bool attached_ = false;
  std::vector<Node> history_;
  // Per directory inode: the generation and entries (name@ino) last listed.
  std::map<uint64_t, std::pair<uint64_t, std::vector<std::string>>> listings_;
  std::vector<std::shared_ptr<PendingWrite>> deferred_;
};

template <class Backend>
void run_script(const AbiProfile& abi, Backend& backend, ScriptedBackend* scripted,
                const std::vector<Op>& ops) {
  Tree tree(abi, backend);
  TreeDriver driver(tree, scripted);
  for (const Op& op : ops) driver.run(op);
  driver.finish();
}

}  // namespace
}  // namespace damonfs::fs::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace damonfs::fs;
  using namespace damonfs::fs::fuzz;
  if (size == 0) return 0;
  const unsigned char mode = data[0];
  const AbiProfile& abi = (mode & 1) ? *AbiProfile::find("6.18") : AbiProfile::latest();
  std::string_view script(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<Op> ops = parse_script(script);
  if (ops.size() > kMaxOps) ops.resize(kMaxOps);
  if (mode & 2) {
    ScriptedBackend backend(hash(script));
    run_script(abi, backend, &backend, ops);
  } else {
    NoEngineBackend backend;
    run_script(abi, backend, nullptr, ops);
  }
  return 0;
}
