#include "fs/fuse/waiting_writes.h"

#include <csignal>
#include <fstream>
#include <string>

namespace damonfs::fs {

namespace {

// Whether thread `tid` is being killed: the kernel queues SIGKILL to every
// thread of a process that a fatal signal ends.
bool being_killed(pid_t tid) {
  std::ifstream status("/proc/" + std::to_string(tid) + "/status");
  if (!status) return true;  // gone
  for (std::string line; std::getline(status, line);) {
    if (!line.starts_with("SigPnd:") && !line.starts_with("ShdPnd:")) continue;
    const unsigned long long pending = std::stoull(line.substr(7), nullptr, 16);
    if (pending & (1ull << (SIGKILL - 1))) return true;
  }
  return false;
}

}  // namespace

std::shared_ptr<WaitingWrites::Write> WaitingWrites::begin(fuse_req_t req, uint64_t ino) {
  auto w = std::make_shared<Write>();
  w->owner = this;
  w->req = req;
  w->ino = ino;
  w->tid = fuse_req_ctx(req)->pid;
  return w;
}

void WaitingWrites::watch(const std::shared_ptr<Write>& w) {
  if (w->stored) return;
  by_ino_.emplace(w->ino, w);
  // Calls interrupted() at once if the kernel interrupted it already.
  fuse_req_interrupt_func(w->req, &WaitingWrites::interrupted, w.get());
}

bool WaitingWrites::finish(const std::shared_ptr<Write>& w) {
  w->stored = true;
  forget(*w);
  return !w->answered;
}

// On the loop thread, from libfuse's handling of the INTERRUPT request.
void WaitingWrites::interrupted(fuse_req_t, void* data) {
  auto* w = static_cast<Write*>(data);
  if (w->stored || w->answered || w->death_check) return;
  if (std::shared_ptr<Write> held = w->owner->find(w)) w->owner->check_dying(held);
}

void WaitingWrites::check_dying(const std::shared_ptr<Write>& w) {
  if (w->stored || w->answered) return;
  if (being_killed(w->tid)) {
    w->answered = true;
    forget(*w);
    fuse_reply_err(w->req, EINTR);
    return;
  }
  if (!w->death_check) w->death_check.emplace(loop_);
  w->death_check->expires_after(kDeathCheck);
  w->death_check->async_wait([this, w](const boost::system::error_code& ec) {
    if (!ec) check_dying(w);
  });
}

void WaitingWrites::forget(Write& w) {
  if (w.death_check) w.death_check->cancel();
  auto [first, last] = by_ino_.equal_range(w.ino);
  for (auto it = first; it != last; ++it) {
    if (it->second.get() == &w) {
      by_ino_.erase(it);
      return;
    }
  }
}

std::shared_ptr<WaitingWrites::Write> WaitingWrites::find(const Write* w) const {
  auto [first, last] = by_ino_.equal_range(w->ino);
  for (auto it = first; it != last; ++it)
    if (it->second.get() == w) return it->second;
  return nullptr;
}

}  // namespace damonfs::fs
