// Drops the kernel's cached dentries, directory attributes and directory
// listings when the tree changes shape (nr_* writes, tried regions), so all
// of them can be cached long.
//
// libfuse's notify calls take the parent directory's lock in the kernel and
// deadlock if issued from the thread that must answer a request holding that
// lock (a lookup in the same directory). They therefore run on a thread of
// their own. The reply to the write that caused them waits until they are
// done, so a process whose write() returned never sees a stale entry — but
// at most kMaxWait: a process that holds the directory lock while it waits
// for the writer's file (unlink or rename of that very nr_* file) would
// otherwise hold everything up for good. The wait is long because on a
// busy machine the notifying thread can take well over 100 ms to be run,
// and a write that returns before the kernel dropped its entries lets the
// writer see the old tree (the kernel's sysfs.sh selftest then finds
// filters/0/type missing after nr_filters 1, about once in 16 runs at load
// 14 on 2 CPUs with a 100 ms wait; every time when not waiting at all).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fs/fuse/fuse_api.h"

namespace damonfs::fs {

class KernelCache {
 public:
  static constexpr std::chrono::milliseconds kMaxWait{2000};

  explicit KernelCache(boost::asio::io_context& loop) : loop_(loop) {}
  ~KernelCache();
  KernelCache(const KernelCache&) = delete;
  KernelCache& operator=(const KernelCache&) = delete;

  // Starts the notifying thread (after daemonizing: fork keeps one thread).
  void start(fuse_session* session);
  // Waits for the notification in progress and drops the rest.
  void stop();

  // Queues the invalidation of `dir_ino`'s attributes and of its entries
  // named in `vanished`.
  void invalidate(uint64_t dir_ino, std::vector<std::string> vanished);
  bool pending() const { return !pending_.empty(); }
  // Sends everything queued so far; `then` (if any) runs on the loop once
  // the kernel took it, or after kMaxWait. With nothing queued, `then` runs
  // at once.
  void flush_then(std::function<void()> then);

 private:
  struct DirChange {
    uint64_t dir_ino;
    std::vector<std::string> vanished;
  };

  static void notify(fuse_session* session, const std::vector<DirChange>& changes);

  boost::asio::io_context& loop_;
  fuse_session* session_ = nullptr;
  std::optional<boost::asio::thread_pool> notifier_;
  std::vector<DirChange> pending_;
};

}  // namespace damonfs::fs
