#include "fs/control/trace_info.h"

#include <cerrno>

namespace damonfs::fs {
namespace {

// events/damon/filter and the per-event trigger file, as tracefs shows them.
constexpr std::string_view kGroupFilter =
    "### global filter ###\n"
    "# Use this to set filters for multiple events.\n"
    "# Only events with the given fields will be affected.\n"
    "# If no events are modified, an error message will be displayed here\n";
constexpr std::string_view kTrigger =
    "# Available triggers:\n"
    "# traceon traceoff stacktrace enable_event disable_event\n";

bool is(std::span<const std::string> path, std::initializer_list<std::string_view> want) {
  if (path.size() != want.size()) return false;
  size_t i = 0;
  for (std::string_view w : want)
    if (path[i++] != w) return false;
  return true;
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

}  // namespace

TraceInfo::TraceInfo(TraceBuffer& buffer, const AbiProfile& abi) : buffer_(buffer) {
  for (const TraceEventSpec& s : trace_event_specs())
    if (abi.has(s.since)) events_.push_back(&s);
}

const TraceEventSpec* TraceInfo::event(std::string_view name) const {
  const std::optional<damon::TraceEvent> e = find_trace_event(name);
  for (const TraceEventSpec* s : events_)
    if (e && s->event == *e) return s;
  return nullptr;
}

std::optional<std::vector<InfoEntry>> TraceInfo::list(std::span<const std::string> dir) const {
  if (dir.empty()) return std::vector<InfoEntry>{{"trace", false, true}, {"tracing", true}};
  if (is(dir, {"tracing"})) return std::vector<InfoEntry>{{"available_events"}, {"events", true}};
  if (is(dir, {"tracing", "events"})) return std::vector<InfoEntry>{{"damon", true}};
  if (is(dir, {"tracing", "events", "damon"})) {
    std::vector<InfoEntry> out;
    for (const TraceEventSpec* s : events_) out.push_back({std::string(s->name), true});
    out.push_back({"enable"});
    out.push_back({"filter"});
    return out;
  }
  if (dir.size() == 4 && is(dir.first(3), {"tracing", "events", "damon"}) && event(dir[3]))
    return std::vector<InfoEntry>{{"enable"}, {"filter"}, {"format"}, {"id"}, {"trigger"}};
  return std::nullopt;
}

std::optional<std::string> TraceInfo::event_file(const TraceEventSpec& spec,
                                                 std::string_view name) const {
  const bool on = buffer_.listening() >> static_cast<unsigned>(spec.event) & 1u;
  if (name == "enable") return on ? "1\n" : "0\n";
  if (name == "filter") return "none\n";
  if (name == "format") return trace_format_file(spec);
  if (name == "id") return std::to_string(trace_event_id(spec.event)) + '\n';
  if (name == "trigger") return std::string(kTrigger);
  return std::nullopt;
}

std::optional<std::string> TraceInfo::read(std::span<const std::string> file) const {
  if (is(file, {"trace"})) return buffer_.take();
  if (is(file, {"tracing", "available_events"})) {
    std::string out;
    for (const TraceEventSpec* s : events_) out += "damon:" + std::string(s->name) + '\n';
    return out;
  }
  if (is(file, {"tracing", "events", "damon", "enable"})) {
    // Like tracefs: 1 or 0 when all events agree, X when they differ.
    size_t on = 0;
    for (const TraceEventSpec* s : events_) on += buffer_.listening() >> static_cast<unsigned>(s->event) & 1u;
    return on == 0 ? "0\n" : on == events_.size() ? "1\n" : "X\n";
  }
  if (is(file, {"tracing", "events", "damon", "filter"})) return std::string(kGroupFilter);
  if (file.size() == 5 && is(file.first(3), {"tracing", "events", "damon"}))
    if (const TraceEventSpec* s = event(file[3])) return event_file(*s, file[4]);
  return std::nullopt;
}

void TraceInfo::write(std::span<const std::string> file, std::string_view data,
                      InfoWriteDone done) const {
  if (!is(file, {"trace"})) return done(-EIO);
  uint32_t mask = 0;
  size_t i = 0;
  while (i < data.size()) {
    if (blank(data[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < data.size() && !blank(data[end])) ++end;
    const TraceEventSpec* s = event(data.substr(i, end - i));
    if (!s) return done(-EINVAL);
    mask |= 1u << static_cast<unsigned>(s->event);
    i = end;
  }
  buffer_.listen(mask);
  done(0);
}

}  // namespace damonfs::fs
