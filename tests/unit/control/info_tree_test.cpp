// The tree's read-only damonfs/ subtree: whatever an InfoProvider lists,
// beside an admin/ that stays the kernel's.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "fs/tree/abi_profile.h"
#include "fs/tree/info_provider.h"
#include "tests/support/no_engine_backend.h"
#include "fs/tree/tree.h"
#include "tests/unit/control/tree_paths.h"

namespace damonfs::fs::test {
namespace {

// Files by path ("a/b"); directories are implied by their files.
class MapProvider final : public InfoProvider {
 public:
  std::optional<std::vector<InfoEntry>> list(std::span<const std::string> dir) const override {
    const std::string prefix = join(dir);
    std::vector<InfoEntry> out;
    bool exists = dir.empty();
    for (const auto& [path, content] : files) {
      if (!prefix.empty() && path.rfind(prefix + "/", 0) != 0) continue;
      exists = true;
      std::string rest = prefix.empty() ? path : path.substr(prefix.size() + 1);
      const size_t slash = rest.find('/');
      InfoEntry e{rest.substr(0, slash), slash != std::string::npos};
      if (out.empty() || out.back().name != e.name) out.push_back(e);
    }
    if (!exists) return std::nullopt;
    return out;
  }

  std::optional<std::string> read(std::span<const std::string> file) const override {
    auto it = files.find(join(file));
    if (it == files.end()) return std::nullopt;
    return it->second;
  }

  std::map<std::string, std::string> files;

 private:
  static std::string join(std::span<const std::string> parts) {
    std::string out;
    for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
    return out;
  }
};

class InfoTreeTest : public ::testing::Test {
 protected:
  InfoTreeTest() : tree(*AbiProfile::find("6.18"), backend), fs(tree) {
    tree.set_invalidator([this](uint64_t dir, std::vector<std::string> vanished) {
      invalidated.push_back({dir, std::move(vanished)});
    });
    provider.files = {{"machine", "sim\n"}, {"truth/12", "region a\n"}, {"truth/13", "region b\n"}};
  }

  std::string write(std::string_view path, std::string_view data) {
    std::string result = "pending";
    fs.write(path, data, [&result](std::string r) { result = std::move(r); });
    return result;
  }

  struct Invalidation {
    uint64_t dir;
    std::vector<std::string> vanished;
  };

  NoEngineBackend backend;
  Tree tree;
  TreePaths fs;
  MapProvider provider;
  std::vector<Invalidation> invalidated;
};

TEST_F(InfoTreeTest, WithoutAProviderTheRootHoldsOnlyAdmin) {
  EXPECT_EQ(fs.ls(""), Strings{"admin/"});
  EXPECT_FALSE(fs.stat("damonfs"));
}

TEST_F(InfoTreeTest, TheProvidersFilesAreReadOnlyBesideAdmin) {
  tree.set_info(&provider);
  EXPECT_EQ(fs.ls(""), (Strings{"admin/", "damonfs/"}));
  EXPECT_EQ(fs.stat("")->nlink, 4u);
  EXPECT_EQ(fs.ls("damonfs"), (Strings{"machine", "truth/"}));
  EXPECT_EQ(fs.ls("damonfs/truth"), (Strings{"12", "13"}));
  EXPECT_EQ(fs.read("damonfs/machine"), "sim\n");
  EXPECT_EQ(fs.read("damonfs/truth/13"), "region b\n");
  std::optional<NodeStat> file = fs.stat("damonfs/truth/12");
  ASSERT_TRUE(file);
  EXPECT_FALSE(file->is_dir);
  EXPECT_EQ(file->mode, 0400u);
  EXPECT_EQ(file->size, 4096u);
  EXPECT_EQ(tree.getattr(file->ino)->ino, file->ino);
  EXPECT_EQ(fs.stat("damonfs/truth")->mode, 0755u);
  EXPECT_EQ(write("damonfs/machine", "host"), "!EIO");
  EXPECT_EQ(fs.read("damonfs/machine"), "sim\n");
  EXPECT_FALSE(fs.stat("damonfs/nothing"));
  // admin/ is untouched.
  EXPECT_EQ(fs.ls("admin"), Strings{"kdamonds/"});
}

TEST_F(InfoTreeTest, ContentIsComputedAtEachRead) {
  tree.set_info(&provider);
  const uint64_t ino = fs.stat("damonfs/machine")->ino;
  provider.files["machine"] = "host\n";
  std::string out;
  ASSERT_EQ(tree.read(ino, out), 0);
  EXPECT_EQ(out, "host\n");
}

TEST_F(InfoTreeTest, AVanishedFileReadsEnodevAndKeepsItsInodeIfItReturns) {
  tree.set_info(&provider);
  const uint64_t ino = fs.stat("damonfs/truth/12")->ino;
  provider.files.erase("truth/12");
  EXPECT_EQ(fs.ls("damonfs/truth"), Strings{"13"});
  EXPECT_FALSE(fs.stat("damonfs/truth/12"));
  std::string out;
  EXPECT_EQ(tree.read(ino, out), -ENODEV);
  provider.files["truth/12"] = "back\n";
  EXPECT_EQ(fs.stat("damonfs/truth/12")->ino, ino);
  ASSERT_EQ(tree.read(ino, out), 0);
  EXPECT_EQ(out, "back\n");
}

TEST_F(InfoTreeTest, LargeContentIsNotCutToASysfsPage) {
  provider.files["big"] = std::string(10000, 'x');
  tree.set_info(&provider);
  EXPECT_EQ(fs.read("damonfs/big").size(), 10000u);
}

TEST_F(InfoTreeTest, DetachingTheProviderRemovesDamonfsAndTellsTheCache) {
  tree.set_info(&provider);
  ASSERT_TRUE(fs.stat("damonfs/machine"));
  invalidated.clear();
  tree.set_info(nullptr);
  EXPECT_EQ(fs.ls(""), Strings{"admin/"});
  ASSERT_EQ(invalidated.size(), 1u);
  EXPECT_EQ(invalidated[0].dir, Tree::kRootIno);
  EXPECT_EQ(invalidated[0].vanished, Strings{"damonfs"});
}

}  // namespace
}  // namespace damonfs::fs::test
