// The engine's tracepoint sink behind the mount's damonfs/trace file: while
// someone listens, each wanted event becomes one text line, kept until the
// listener reads it (docs/interface.md, "Tracepoints"). Nobody listening:
// contexts see a sink that wants nothing and emit nothing.
//
// A line is tab-separated:
//
//   TIME_US  TID  CPU  COMM  EVENT  PRINTK  FIELDS
//
// TIME_US is the emitting context's clock (simulated time on a simulated
// clock; its sampling schedule for the monitoring events), TID, CPU and COMM the kdamond task's, EVENT the name without
// "damon:", PRINTK the kernel's TP_printk text and FIELDS the raw values
// (trace_events.h). When more than the cap waits unread, newer events are
// dropped and counted; the next read starts with "lost N".
//
// Threading: emit() from any kdamond, the rest from the tree's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

#include "engine/core/trace.h"

namespace damonfs::fs {

class TraceBuffer final : public damon::TraceSink {
 public:
  explicit TraceBuffer(size_t max_bytes = size_t{64} << 20) : max_bytes_(max_bytes) {}

  // Keeps the events of `mask` (bit i: damon::TraceEvent i) from now on; 0
  // stops listening and drops what was not read.
  void listen(uint32_t mask);
  uint32_t listening() const { return mask_; }
  // What was kept since the last take, oldest first.
  std::string take();

  void emit(const damon::TraceRecord& record) override;

 private:
  size_t max_bytes_;
  uint32_t mask_ = 0;  // tree's thread only; the sink's own copy is atomic
  std::mutex mu_;
  std::string pending_;
  uint64_t lost_ = 0;
};

}  // namespace damonfs::fs
