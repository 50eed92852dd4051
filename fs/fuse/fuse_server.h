// The libfuse3 low-level glue: serves a Tree over one FUSE session.
//
// Single-threaded and never blocking: the session's /dev/fuse descriptor is
// watched by the Asio loop, each readable event drains the pending requests,
// and a request whose answer comes later (a `state` write waiting for a
// kdamond) keeps its fuse_req_t and is answered from the loop when the
// tree's WriteDone fires. Other threads reach the tree only by posting to
// that loop.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "fs/fuse/fuse_api.h"
#include "fs/fuse/kernel_cache.h"
#include "fs/fuse/waiting_writes.h"
#include "fs/tree/tree.h"

namespace damonfs::fs {

struct FuseConfig {
  // Mount options beyond the fixed ones (default_permissions, fsname).
  std::vector<std::string> mount_options;
  bool debug = false;
  uid_t uid = 0;
  gid_t gid = 0;
  // How long the kernel may trust entries and attributes. Every change of
  // the tree's shape is invalidated explicitly (KernelCache), so these can
  // be long; content never comes from a cache (direct I/O).
  std::chrono::seconds cache_timeout{3600};
};

class FuseServer {
 public:
  FuseServer(Tree& tree, boost::asio::io_context& loop, FuseConfig config);
  ~FuseServer();
  FuseServer(const FuseServer&) = delete;
  FuseServer& operator=(const FuseServer&) = delete;

  // Creates the session and mounts it. False (reason already printed by
  // libfuse) on failure.
  bool mount(const std::string& mountpoint);
  // Starts serving on the loop; `on_end` runs on the loop when the session
  // ends (unmounted with fusermount3 -u, or the connection aborted).
  void start(std::function<void()> on_end);
  // Stops serving and unmounts. Call with the loop stopped.
  void unmount();

 private:
  struct Ops;

  // The last listing served, kept while its directory's generation stays:
  // a big directory is read in many requests.
  struct ListingCache {
    bool valid = false;
    uint64_t ino = 0;
    uint64_t generation = 0;
    std::vector<DirEntry> entries;
  };

  void read_request();
  // The entries of directory `ino` now, or -errno.
  int listing(uint64_t ino, const std::vector<DirEntry>*& out);

  Tree& tree_;
  FuseConfig config_;
  fuse_session* session_ = nullptr;
  bool mounted_ = false;
  std::vector<char> request_;  // the request being served
  boost::asio::posix::stream_descriptor device_;
  KernelCache cache_;
  std::function<void()> on_end_;
  struct timespec mount_time_ {};
  WaitingWrites waiting_;
  // The kernel lists directories without opening them (FUSE_CAP_NO_OPENDIR_SUPPORT).
  bool zero_message_opendir_ = false;
  ListingCache listing_;
};

}  // namespace damonfs::fs
