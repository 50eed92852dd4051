// The mount's tracepoint files under damonfs/ (info_provider.h):
//
//   trace          (0600) write the events to listen to, as names separated
//                  by blanks ("damon:damon_aggregated damos_esz"); an empty
//                  line stops listening. Reading returns, and forgets, the
//                  lines kept since the last read (trace_buffer.h).
//   tracing/       what a tracefs shows of DAMON's events, for the
//                  launcher's tracefs view: available_events (damon: lines),
//                  events/damon/{enable,filter} and, per event,
//                  events/damon/NAME/{enable,filter,format,id,trigger}
//
// Only the events of the mount's ABI profile exist; naming another one is
// EINVAL and changes nothing.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fs/control/trace_buffer.h"
#include "fs/control/trace_events.h"
#include "fs/tree/abi_profile.h"
#include "fs/tree/info_provider.h"

namespace damonfs::fs {

class TraceInfo final : public InfoProvider {
 public:
  // `buffer` and `abi` must outlive this object.
  TraceInfo(TraceBuffer& buffer, const AbiProfile& abi);

  std::optional<std::vector<InfoEntry>> list(std::span<const std::string> dir) const override;
  std::optional<std::string> read(std::span<const std::string> file) const override;
  void write(std::span<const std::string> file, std::string_view data,
             InfoWriteDone done) const override;

 private:
  // The profile's event called `name`, if it has one.
  const TraceEventSpec* event(std::string_view name) const;
  std::optional<std::string> event_file(const TraceEventSpec& spec, std::string_view name) const;

  TraceBuffer& buffer_;
  std::vector<const TraceEventSpec*> events_;  // the profile's
};

}  // namespace damonfs::fs
