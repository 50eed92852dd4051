// Where other threads leave requests for one kdamond, and how it learns of
// them. Thread-safe; the kdamond thread takes requests out at safe points.
//
// The inbox only accepts requests while open (between the kdamond's start
// and the beginning of its exit), so every accepted request is either
// served or handed back by close() to be cancelled: none is lost, none is
// completed twice.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "engine/kdamond/requests.h"

namespace damon {

class RequestInbox {
 public:
  // What the kdamond takes at one safe point.
  struct Batch {
    bool stop_requested = false;  // when set, the queues were left for close()
    std::deque<CallRequest> calls;
    std::vector<RepeatRequest> repeats;
    std::optional<KdamondWalkRequest> walk;
  };

  // Starts accepting, before the kdamond thread runs.
  void open();
  // kdamond thread: `wake` is called, under the inbox lock, when the kdamond
  // should come and take() (at once if requests came before it ran): it
  // must only schedule that (never block, never call back into the inbox).
  void set_waker(std::function<void()> wake);
  bool is_open() const;

  // 0, or -EINVAL when the inbox is closed (the kdamond is not running).
  int push(CallRequest req);
  int push(RepeatRequest req);
  // Also -EBUSY while another walk is pending or in progress.
  int push(KdamondWalkRequest req);

  // Asks the kdamond to exit at its next safe point. False when closed.
  bool request_stop();

  // kdamond thread: everything queued since the last take().
  Batch take();
  // kdamond thread: the walk in progress completed; a new one may come.
  void walk_ended();
  // kdamond thread, on exit: stop accepting and hand back what was never
  // taken.
  Batch close();

 private:
  void wake_locked();

  mutable std::mutex mu_;
  bool open_ = false;
  bool stop_requested_ = false;
  bool wake_pending_ = false;
  bool walk_busy_ = false;  // a walk is queued or in progress
  std::function<void()> wake_;
  Batch pending_;
};

}  // namespace damon
