#include "fs/fuse/kernel_cache.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

namespace damonfs::fs {

namespace asio = boost::asio;

KernelCache::~KernelCache() { stop(); }

void KernelCache::start(fuse_session* session) {
  session_ = session;
  notifier_.emplace(1);
}

void KernelCache::stop() {
  if (!notifier_) return;
  notifier_->stop();
  notifier_->join();
  notifier_.reset();
}

void KernelCache::invalidate(uint64_t dir_ino, std::vector<std::string> vanished) {
  pending_.push_back({dir_ino, std::move(vanished)});
}

void KernelCache::notify(fuse_session* session, const std::vector<DirChange>& changes) {
  for (const DirChange& change : changes) {
    // The directory's attributes (link count, mtime) and the listing the
    // kernel cached (its page cache: offset 0, whole length).
    fuse_lowlevel_notify_inval_inode(session, change.dir_ino, 0, 0);
    for (const std::string& name : change.vanished)
      fuse_lowlevel_notify_inval_entry(session, change.dir_ino, name.data(), name.size());
  }
}

void KernelCache::flush_then(std::function<void()> then) {
  if (pending_.empty() || !notifier_) {
    pending_.clear();
    if (then) then();
    return;
  }
  std::vector<DirChange> changes = std::move(pending_);
  pending_.clear();
  if (!then) {
    asio::post(*notifier_, [this, changes = std::move(changes)] { notify(session_, changes); });
    return;
  }
  // Runs `then` once: when the notifications are done or the timer fires,
  // whichever comes first (both on the loop thread).
  struct Waiter {
    Waiter(asio::io_context& loop, std::function<void()> f)
        : timer(loop, kMaxWait), then(std::move(f)) {}
    void finish() {
      if (!then) return;  // already done
      timer.cancel();
      std::function<void()> f = std::move(then);
      then = nullptr;
      f();
    }
    asio::steady_timer timer;
    std::function<void()> then;
  };
  auto waiter = std::make_shared<Waiter>(loop_, std::move(then));
  waiter->timer.async_wait([waiter](const boost::system::error_code& ec) {
    if (!ec) waiter->finish();
  });
  asio::post(*notifier_, [this, waiter, changes = std::move(changes)] {
    notify(session_, changes);
    asio::post(loop_, [waiter] { waiter->finish(); });
  });
}

}  // namespace damonfs::fs
