// DAMON's tracepoints (the kernel's include/trace/events/damon.h) as the
// engine emits them, for user-space consumers (perf, damo record).
//
// The engine knows only the events and their field values; how they are
// named, formatted and handed out is the consumer's (fs/control/trace_*).
// A context emits into the TraceSink it is given, and only the events the
// sink wants: with no sink, or a sink that wants nothing, each trace point
// costs one predictable branch (per aggregation or per applied region, never
// per sample).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "engine/params.h"

namespace damon {

// In the order of the kernel's available_events listing.
enum class TraceEvent : uint8_t {
  damon_aggregated,
  damon_monitor_intervals_tune,
  damon_region_aggregated,
  damos_before_apply,
  damos_esz,
  damos_stat_after_apply_interval,
};
inline constexpr unsigned kNrTraceEvents = 6;

// One emitted event: its fields' values in the order of the kernel's
// TP_STRUCT__entry for that event, and for damon_region_aggregated the
// probe_hits array (its __dynamic_array).
struct TraceRecord {
  TraceEvent event{};
  // The context's clock: for the core's events, its sampling schedule
  // (Context: one sampling interval per sample); for DAMOS's, when emitted.
  uint64_t time_us = 0;
  uint8_t nr_fields = 0;
  std::array<uint64_t, 9> fields{};
  uint8_t nr_probe_hits = 0;
  std::array<uint8_t, kMaxProbes> probe_hits{};
};

// Where contexts emit. Implementations must accept emit() from any kdamond
// at any time; wants() is read on every trace point and must stay cheap.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  bool wants(TraceEvent e) const {
    return (wanted_.load(std::memory_order_relaxed) >> static_cast<unsigned>(e)) & 1u;
  }
  virtual void emit(const TraceRecord& record) = 0;

 protected:
  // Bit i set: event i (TraceEvent's value) is wanted.
  void set_wanted(uint32_t mask) { wanted_.store(mask, std::memory_order_relaxed); }

 private:
  std::atomic<uint32_t> wanted_{0};
};

// The sink when it wants `e`, else nullptr: `if (TraceSink* s = tracing(sink, e))`.
inline TraceSink* tracing(TraceSink* sink, TraceEvent e) {
  return sink && sink->wants(e) ? sink : nullptr;
}

}  // namespace damon
