// Writes whose store waits for a kdamond (`state` commands), by inode.
//
// While such a write is unanswered the kernel holds its inode's lock
// (shared, as the files are opened with FOPEN_PARALLEL_DIRECT_WRITES). A
// truncating open of that file would sleep on the lock uninterruptibly, so
// FuseServer refuses write opens of the inode with EBUSY while one waits,
// the errno any store gets then. Writes through descriptors opened before
// reach the tree and get EBUSY from it, as in the kernel.
//
// The waiting writer itself: the kernel's FUSE sends one INTERRUPT at the
// first signal and then waits for the answer without end, SIGKILL or not.
// A writer that is being killed is therefore answered (EINTR, which it
// never sees) as soon as that shows in /proc; other signals leave it
// waiting, as the kernel's sysfs store does.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>

#include "fs/fuse/fuse_api.h"

namespace damonfs::fs {

class WaitingWrites {
 public:
  static constexpr std::chrono::milliseconds kDeathCheck{20};

  struct Write {
    WaitingWrites* owner = nullptr;
    fuse_req_t req = nullptr;
    uint64_t ino = 0;
    pid_t tid = 0;  // the writing thread
    bool stored = false;    // the tree finished the store
    bool answered = false;  // answered EINTR: the writer was killed
    std::optional<boost::asio::steady_timer> death_check;
  };

  explicit WaitingWrites(boost::asio::io_context& loop) : loop_(loop) {}

  // A write about to be handed to the tree.
  std::shared_ptr<Write> begin(fuse_req_t req, uint64_t ino);
  // After Tree::write returned: tracks `w` if its store has not finished.
  void watch(const std::shared_ptr<Write>& w);
  // The store finished: true when the caller is to answer the request.
  bool finish(const std::shared_ptr<Write>& w);
  bool any_for(uint64_t ino) const { return by_ino_.contains(ino); }

 private:
  static void interrupted(fuse_req_t req, void* data);
  void check_dying(const std::shared_ptr<Write>& w);
  void forget(Write& w);
  std::shared_ptr<Write> find(const Write* w) const;

  boost::asio::io_context& loop_;
  std::unordered_multimap<uint64_t, std::shared_ptr<Write>> by_ino_;
};

}  // namespace damonfs::fs
