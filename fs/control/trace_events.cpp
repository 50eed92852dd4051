#include "fs/control/trace_events.h"

#include <array>
#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace damonfs::fs {
namespace {

using damon::TraceEvent;
using damon::TraceRecord;

constexpr std::string_view kUlong = "unsigned long";
constexpr std::string_view kUint = "unsigned int";

// TP_STRUCT__entry of each event, in the kernel's order.
constexpr std::array kAggregatedFields{
    TraceFieldSpec{kUlong, "target_id", 8}, TraceFieldSpec{kUint, "nr_regions", 4},
    TraceFieldSpec{kUlong, "start", 8},     TraceFieldSpec{kUlong, "end", 8},
    TraceFieldSpec{kUint, "nr_accesses", 4}, TraceFieldSpec{kUint, "age", 4},
};
constexpr std::array kIntervalsTuneFields{TraceFieldSpec{kUlong, "sample_us", 8}};
constexpr std::array kRegionAggregatedFields{
    TraceFieldSpec{kUlong, "target_id", 8},  TraceFieldSpec{kUlong, "start", 8},
    TraceFieldSpec{kUlong, "end", 8},        TraceFieldSpec{kUint, "nr_regions", 4},
    TraceFieldSpec{kUint, "nr_accesses", 4}, TraceFieldSpec{kUint, "age", 4},
    TraceFieldSpec{"__data_loc unsigned char[]", "probe_hits", 4},
};
constexpr std::array kBeforeApplyFields{
    TraceFieldSpec{kUint, "context_idx", 4}, TraceFieldSpec{kUint, "scheme_idx", 4},
    TraceFieldSpec{kUlong, "target_idx", 8}, TraceFieldSpec{kUlong, "start", 8},
    TraceFieldSpec{kUlong, "end", 8},        TraceFieldSpec{kUint, "nr_accesses", 4},
    TraceFieldSpec{kUint, "age", 4},         TraceFieldSpec{kUint, "nr_regions", 4},
};
constexpr std::array kEszFields{
    TraceFieldSpec{kUint, "context_idx", 4},
    TraceFieldSpec{kUint, "scheme_idx", 4},
    TraceFieldSpec{kUlong, "esz", 8},
};
constexpr std::array kStatFields{
    TraceFieldSpec{kUint, "context_idx", 4},   TraceFieldSpec{kUint, "scheme_idx", 4},
    TraceFieldSpec{kUlong, "nr_tried", 8},     TraceFieldSpec{kUlong, "sz_tried", 8},
    TraceFieldSpec{kUlong, "nr_applied", 8},   TraceFieldSpec{kUlong, "sz_applied", 8},
    TraceFieldSpec{kUlong, "sz_ops_filter_passed", 8}, TraceFieldSpec{kUlong, "qt_exceeds", 8},
    TraceFieldSpec{kUlong, "nr_snapshots", 8},
};

// damon_aggregated has been there since DAMON itself (5.15), before the
// sysfs interface; the others came with the releases damo names for them.
constexpr std::array kSpecs{
    TraceEventSpec{TraceEvent::damon_aggregated, "damon_aggregated", kSysfsOrigin, kAggregatedFields,
                   R"("target_id=%lu nr_regions=%u %lu-%lu: %u %u", REC->target_id, REC->nr_regions, )"
                   R"(REC->start, REC->end, REC->nr_accesses, REC->age)"},
    TraceEventSpec{TraceEvent::damon_monitor_intervals_tune, "damon_monitor_intervals_tune",
                   AbiVersion{6, 17}, kIntervalsTuneFields, R"("sample_us=%lu", REC->sample_us)"},
    TraceEventSpec{TraceEvent::damon_region_aggregated, "damon_region_aggregated", AbiVersion{7, 2},
                   kRegionAggregatedFields,
                   R"("target_id=%lu nr_regions=%u %lu-%lu: %u %u probe_hits=%s", REC->target_id, )"
                   R"(REC->nr_regions, REC->start, REC->end, REC->nr_accesses, REC->age, )"
                   R"(__print_hex(__get_dynamic_array(probe_hits), __get_dynamic_array_len(probe_hits)))"},
    TraceEventSpec{TraceEvent::damos_before_apply, "damos_before_apply", AbiVersion{6, 7},
                   kBeforeApplyFields,
                   R"("ctx_idx=%u scheme_idx=%u target_idx=%lu nr_regions=%u %lu-%lu: %u %u", )"
                   R"(REC->context_idx, REC->scheme_idx, REC->target_idx, REC->nr_regions, )"
                   R"(REC->start, REC->end, REC->nr_accesses, REC->age)"},
    TraceEventSpec{TraceEvent::damos_esz, "damos_esz", AbiVersion{6, 17}, kEszFields,
                   R"("ctx_idx=%u scheme_idx=%u esz=%lu", REC->context_idx, REC->scheme_idx, REC->esz)"},
    // The kernel's format names sz_applied "sz_tried" a second time.
    TraceEventSpec{TraceEvent::damos_stat_after_apply_interval, "damos_stat_after_apply_interval",
                   AbiVersion{7, 0}, kStatFields,
                   R"("ctx_idx=%u scheme_idx=%u nr_tried=%lu sz_tried=%lu nr_applied=%lu )"
                   R"(sz_tried=%lu sz_ops_filter_passed=%lu qt_exceeds=%lu nr_snapshots=%lu", )"
                   R"(REC->context_idx, REC->scheme_idx, REC->nr_tried, REC->sz_tried, )"
                   R"(REC->nr_applied, REC->sz_applied, REC->sz_ops_filter_passed, )"
                   R"(REC->qt_exceeds, REC->nr_snapshots)"},
};
static_assert(kSpecs.size() == damon::kNrTraceEvents);

// The kernel's trace_print_hex_seq without concatenation: "13 00".
std::string hex_bytes(const TraceRecord& r, char separator) {
  std::string out;
  char buf[4];
  for (unsigned i = 0; i < r.nr_probe_hits; ++i) {
    if (i) out += separator;
    std::snprintf(buf, sizeof(buf), "%02x", r.probe_hits[i]);
    out += buf;
  }
  return out;
}

std::string printf_string(const char* fmt, auto... args) {
  char buf[512];
  const int n = std::snprintf(buf, sizeof(buf), fmt, args...);
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

// Fields as the kernel stores them: `unsigned int` ones are 32 bits wide.
unsigned u32(uint64_t v) { return static_cast<unsigned>(v); }

}  // namespace

std::span<const TraceEventSpec> trace_event_specs() { return kSpecs; }

const TraceEventSpec& trace_event_spec(TraceEvent event) {
  return kSpecs[static_cast<size_t>(event)];
}

std::optional<TraceEvent> find_trace_event(std::string_view name) {
  if (name.starts_with("damon:")) name.remove_prefix(6);
  for (const TraceEventSpec& s : kSpecs)
    if (s.name == name) return s.event;
  return std::nullopt;
}

unsigned trace_event_id(TraceEvent event) { return 65000 + static_cast<unsigned>(event); }

std::string trace_format_file(const TraceEventSpec& spec) {
  std::string out = "name: " + std::string(spec.name) + "\nID: " +
                    std::to_string(trace_event_id(spec.event)) + "\nformat:\n";
  out +=
      "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
      "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
      "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
      "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n";
  unsigned offset = 8;
  for (const TraceFieldSpec& f : spec.fields) {
    offset = (offset + f.size - 1) / f.size * f.size;  // natural alignment
    out += "\tfield:" + std::string(f.type) + ' ' + std::string(f.name) + ";\toffset:" +
           std::to_string(offset) + ";\tsize:" + std::to_string(f.size) +
           ";\tsigned:" + (f.is_signed ? "1" : "0") + ";\n";
    offset += f.size;
  }
  return out + "\nprint fmt: " + std::string(spec.print_fmt) + '\n';
}

std::string trace_printk(const TraceRecord& r) {
  const auto& v = r.fields;
  switch (r.event) {
    case TraceEvent::damon_aggregated:
      return printf_string("target_id=%" PRIu64 " nr_regions=%u %" PRIu64 "-%" PRIu64 ": %u %u", v[0],
                           u32(v[1]), v[2], v[3], u32(v[4]), u32(v[5]));
    case TraceEvent::damon_monitor_intervals_tune:
      return printf_string("sample_us=%" PRIu64, v[0]);
    case TraceEvent::damon_region_aggregated:
      return printf_string("target_id=%" PRIu64 " nr_regions=%u %" PRIu64 "-%" PRIu64 ": %u %u probe_hits=",
                           v[0], u32(v[3]), v[1], v[2], u32(v[4]), u32(v[5])) +
             hex_bytes(r, ' ');
    case TraceEvent::damos_before_apply:
      return printf_string("ctx_idx=%u scheme_idx=%u target_idx=%" PRIu64 " nr_regions=%u %" PRIu64
                           "-%" PRIu64 ": %u %u",
                           u32(v[0]), u32(v[1]), v[2], u32(v[7]), v[3], v[4], u32(v[5]), u32(v[6]));
    case TraceEvent::damos_esz:
      return printf_string("ctx_idx=%u scheme_idx=%u esz=%" PRIu64, u32(v[0]), u32(v[1]), v[2]);
    case TraceEvent::damos_stat_after_apply_interval:
      return printf_string("ctx_idx=%u scheme_idx=%u nr_tried=%" PRIu64 " sz_tried=%" PRIu64
                           " nr_applied=%" PRIu64 " sz_tried=%" PRIu64 " sz_ops_filter_passed=%" PRIu64
                           " qt_exceeds=%" PRIu64 " nr_snapshots=%" PRIu64,
                           u32(v[0]), u32(v[1]), v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
  }
  return {};
}

void append_number(std::string& out, uint64_t v) {
  char buf[24];
  const std::to_chars_result end = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end.ptr);
}

std::string trace_fields(const TraceRecord& r) {
  std::string out;
  append_trace_fields(out, r);
  return out;
}

void append_trace_fields(std::string& out, const TraceRecord& r) {
  const TraceEventSpec& spec = trace_event_spec(r.event);
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    if (i) out += ' ';
    out += spec.fields[i].name;
    out += '=';
    if (i < r.nr_fields)
      append_number(out, spec.fields[i].size == 4 ? u32(r.fields[i]) : r.fields[i]);
    else
      out += hex_bytes(r, ':');
  }
}

}  // namespace damonfs::fs
