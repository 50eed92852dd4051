// The tracepoint files of damonfs/ (trace_info.h): the kernel's format files
// and TP_printk texts, the events of each profile, and listening through
// damonfs/trace.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "fs/control/trace_buffer.h"
#include "fs/control/trace_events.h"
#include "fs/control/trace_info.h"

namespace damonfs::fs {
namespace {

using damon::TraceEvent;
using damon::TraceRecord;

// Linux 6.18's events/damon/damon_aggregated/format (read from a 6.18
// tracefs), but for the ID line, which each kernel numbers at boot.
constexpr std::string_view kKernelAggregatedFormat =
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n"
    "\tfield:unsigned long target_id;\toffset:8;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned int nr_regions;\toffset:16;\tsize:4;\tsigned:0;\n"
    "\tfield:unsigned long start;\toffset:24;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned long end;\toffset:32;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned int nr_accesses;\toffset:40;\tsize:4;\tsigned:0;\n"
    "\tfield:unsigned int age;\toffset:44;\tsize:4;\tsigned:0;\n"
    "\n"
    "print fmt: \"target_id=%lu nr_regions=%u %lu-%lu: %u %u\", REC->target_id, REC->nr_regions, "
    "REC->start, REC->end, REC->nr_accesses, REC->age\n";

// Linux 6.18's damos_before_apply field block.
constexpr std::string_view kKernelBeforeApplyFields =
    "\tfield:unsigned int context_idx;\toffset:8;\tsize:4;\tsigned:0;\n"
    "\tfield:unsigned int scheme_idx;\toffset:12;\tsize:4;\tsigned:0;\n"
    "\tfield:unsigned long target_idx;\toffset:16;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned long start;\toffset:24;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned long end;\toffset:32;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned int nr_accesses;\toffset:40;\tsize:4;\tsigned:0;\n"
    "\tfield:unsigned int age;\toffset:44;\tsize:4;\tsigned:0;\n"
    "\tfield:unsigned int nr_regions;\toffset:48;\tsize:4;\tsigned:0;\n";

std::string after_id_line(const std::string& format) { return format.substr(format.find("format:")); }

TEST(TraceEvents, FormatFilesAreTheKernels) {
  const std::string aggregated = trace_format_file(trace_event_spec(TraceEvent::damon_aggregated));
  EXPECT_TRUE(aggregated.starts_with("name: damon_aggregated\nID: "));
  EXPECT_EQ(after_id_line(aggregated), kKernelAggregatedFormat);
  EXPECT_NE(trace_format_file(trace_event_spec(TraceEvent::damos_before_apply))
                .find(kKernelBeforeApplyFields),
            std::string::npos);
  // The dynamic array of 7.2's event is a __data_loc field after age.
  EXPECT_NE(trace_format_file(trace_event_spec(TraceEvent::damon_region_aggregated))
                .find("\tfield:__data_loc unsigned char[] probe_hits;\toffset:44;\tsize:4;\tsigned:0;\n"),
            std::string::npos);
}

TEST(TraceEvents, PrintkTexts) {
  EXPECT_EQ(trace_printk(TraceRecord{.event = TraceEvent::damon_aggregated,
                                     .nr_fields = 6,
                                     .fields = {0, 17, 140731667070976, 140731668037632, 0, 3}}),
            "target_id=0 nr_regions=17 140731667070976-140731668037632: 0 3");
  EXPECT_EQ(trace_printk(TraceRecord{.event = TraceEvent::damos_before_apply,
                                     .nr_fields = 8,
                                     .fields = {0, 1, 0, 121932607488, 135128711168, 0, 136, 11}}),
            "ctx_idx=0 scheme_idx=1 target_idx=0 nr_regions=11 121932607488-135128711168: 0 136");
  EXPECT_EQ(trace_printk(TraceRecord{.event = TraceEvent::damon_monitor_intervals_tune,
                                     .nr_fields = 1,
                                     .fields = {80000}}),
            "sample_us=80000");
  EXPECT_EQ(trace_printk(TraceRecord{.event = TraceEvent::damos_esz, .nr_fields = 3, .fields = {0, 2, 4096}}),
            "ctx_idx=0 scheme_idx=2 esz=4096");
  // The kernel's text names sz_applied "sz_tried" too.
  EXPECT_EQ(trace_printk(TraceRecord{.event = TraceEvent::damos_stat_after_apply_interval,
                                     .nr_fields = 9,
                                     .fields = {0, 0, 1, 2, 3, 4, 5, 6, 7}}),
            "ctx_idx=0 scheme_idx=0 nr_tried=1 sz_tried=2 nr_applied=3 sz_tried=4 "
            "sz_ops_filter_passed=5 qt_exceeds=6 nr_snapshots=7");
  EXPECT_EQ(trace_printk(TraceRecord{.event = TraceEvent::damon_region_aggregated,
                                     .nr_fields = 6,
                                     .fields = {0, 8354394112, 8372879360, 11, 0, 600},
                                     .nr_probe_hits = 2,
                                     .probe_hits = {0x13, 0}}),
            "target_id=0 nr_regions=11 8354394112-8372879360: 0 600 probe_hits=13 00");
}

std::vector<std::string> path(std::initializer_list<const char*> parts) {
  return std::vector<std::string>(parts.begin(), parts.end());
}

std::string read(const TraceInfo& info, std::initializer_list<const char*> parts) {
  return info.read(path(parts)).value_or("<none>");
}

int write(const TraceInfo& info, std::string_view data) {
  int result = 1;
  info.write(path({"trace"}), data, [&result](int err) { result = err; });
  return result;
}

TEST(TraceInfoFiles, EachProfileHasItsKernelsEvents) {
  TraceBuffer buffer;
  const TraceInfo v6_6(buffer, *AbiProfile::find("6.6"));
  const TraceInfo v6_18(buffer, *AbiProfile::find("6.18"));
  const TraceInfo latest(buffer, AbiProfile::latest());
  EXPECT_EQ(read(v6_6, {"tracing", "available_events"}), "damon:damon_aggregated\n");
  EXPECT_EQ(read(v6_18, {"tracing", "available_events"}),
            "damon:damon_aggregated\ndamon:damon_monitor_intervals_tune\n"
            "damon:damos_before_apply\ndamon:damos_esz\n");
  EXPECT_EQ(read(latest, {"tracing", "available_events"}),
            "damon:damon_aggregated\ndamon:damon_monitor_intervals_tune\n"
            "damon:damon_region_aggregated\ndamon:damos_before_apply\ndamon:damos_esz\n"
            "damon:damos_stat_after_apply_interval\n");
  EXPECT_FALSE(v6_6.list(path({"tracing", "events", "damon", "damos_esz"})));
  EXPECT_EQ(read(v6_18, {"tracing", "events", "damon", "damos_esz", "id"}),
            std::to_string(trace_event_id(TraceEvent::damos_esz)) + '\n');
  // An event of a later kernel cannot be listened to.
  EXPECT_EQ(write(v6_6, "damon:damos_esz\n"), -EINVAL);
  EXPECT_EQ(buffer.listening(), 0u);
}

TEST(TraceInfoFiles, ListeningKeepsWantedEventsUntilRead) {
  TraceBuffer buffer;
  const TraceInfo info(buffer, AbiProfile::latest());
  const TraceRecord esz{.event = TraceEvent::damos_esz, .time_us = 1500000, .nr_fields = 3,
                        .fields = {0, 0, 8192}};
  EXPECT_FALSE(buffer.wants(TraceEvent::damos_esz));
  ASSERT_EQ(write(info, "damon:damos_esz damon_aggregated\n"), 0);
  EXPECT_TRUE(buffer.wants(TraceEvent::damos_esz));
  EXPECT_TRUE(buffer.wants(TraceEvent::damon_aggregated));
  EXPECT_FALSE(buffer.wants(TraceEvent::damos_before_apply));
  EXPECT_EQ(read(info, {"tracing", "events", "damon", "damos_esz", "enable"}), "1\n");
  EXPECT_EQ(read(info, {"tracing", "events", "damon", "enable"}), "X\n");
  buffer.emit(esz);
  const std::string line = read(info, {"trace"});
  // TIME_US TID CPU COMM EVENT PRINTK FIELDS
  std::vector<std::string> cols;
  for (size_t at = 0, tab; at <= line.size(); at = tab + 1) {
    tab = line.find_first_of("\t\n", at);
    if (tab == std::string::npos) break;
    cols.push_back(line.substr(at, tab - at));
  }
  ASSERT_EQ(cols.size(), 7u) << line;
  EXPECT_EQ(cols[0], "1500000");
  EXPECT_EQ(cols[4], "damos_esz");
  EXPECT_EQ(cols[5], "ctx_idx=0 scheme_idx=0 esz=8192");
  EXPECT_EQ(cols[6], "context_idx=0 scheme_idx=0 esz=8192");
  EXPECT_EQ(read(info, {"trace"}), "");  // taken
  ASSERT_EQ(write(info, "\n"), 0);
  EXPECT_FALSE(buffer.wants(TraceEvent::damos_esz));
  EXPECT_EQ(read(info, {"tracing", "events", "damon", "enable"}), "0\n");
}

TEST(TraceInfoFiles, AFullBufferCountsWhatItDropped) {
  TraceBuffer buffer(100);
  const TraceInfo info(buffer, AbiProfile::latest());
  ASSERT_EQ(write(info, "damon:damos_esz"), 0);
  const TraceRecord esz{.event = TraceEvent::damos_esz, .nr_fields = 3, .fields = {0, 0, 1}};
  for (int i = 0; i < 5; ++i) buffer.emit(esz);
  const std::string got = read(info, {"trace"});
  EXPECT_TRUE(got.starts_with("lost 4\n")) << got;
}

}  // namespace
}  // namespace damonfs::fs
