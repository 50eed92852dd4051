// DAMON's tracepoints as the kernel declares them (include/trace/events/
// damon.h): for each event, the release that added it, its fields as its
// tracefs `format` file lists them, and its TP_printk text, which is what
// `perf script`, `perf trace` and trace-cmd print after the event name.
//
// An ABI profile has the events its kernel has (AbiProfile::has(since)).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/core/trace.h"
#include "fs/tree/abi_profile.h"

namespace damonfs::fs {

struct TraceFieldSpec {
  std::string_view type;  // C type as the format file shows it
  std::string_view name;
  unsigned size;      // bytes
  bool is_signed = false;
};

struct TraceEventSpec {
  damon::TraceEvent event;
  std::string_view name;  // without the "damon:" system prefix
  AbiVersion since;
  std::span<const TraceFieldSpec> fields;
  std::string_view print_fmt;  // the format file's "print fmt:" value
};

// Every event the engine emits, in TraceEvent order.
std::span<const TraceEventSpec> trace_event_specs();
const TraceEventSpec& trace_event_spec(damon::TraceEvent event);
// The event called `name` ("damon_aggregated" or "damon:damon_aggregated").
std::optional<damon::TraceEvent> find_trace_event(std::string_view name);

// The event's numeric id in the tracefs view (its format file's ID:). The
// kernel numbers events at boot; these stay clear of the ids a kernel
// gives its own events, so the view's ids never name a host event.
unsigned trace_event_id(damon::TraceEvent event);

// The content of the event's tracefs `format` file.
std::string trace_format_file(const TraceEventSpec& spec);

// The kernel's TP_printk output for `record`.
std::string trace_printk(const damon::TraceRecord& record);

// The record's fields as "name=value" pairs separated by spaces, in
// format-file order (probe_hits as hexadecimal bytes joined by ':').
std::string trace_fields(const damon::TraceRecord& record);
// The same appended to `out`, and a number in decimal: what a formatter in
// the emitting kdamond's path uses, without temporaries.
void append_trace_fields(std::string& out, const damon::TraceRecord& record);
void append_number(std::string& out, uint64_t value);

}  // namespace damonfs::fs
