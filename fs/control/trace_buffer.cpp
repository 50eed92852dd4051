#include "fs/control/trace_buffer.h"

#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fs/control/trace_events.h"

namespace damonfs::fs {

void TraceBuffer::listen(uint32_t mask) {
  mask_ = mask;
  set_wanted(mask);
  if (mask) return;
  std::lock_guard lock(mu_);
  pending_.clear();
  lost_ = 0;
}

std::string TraceBuffer::take() {
  std::lock_guard lock(mu_);
  std::string out;
  if (lost_) out = "lost " + std::to_string(lost_) + '\n';
  lost_ = 0;
  out += pending_;
  pending_.clear();
  return out;
}

void TraceBuffer::emit(const damon::TraceRecord& r) {
  // Who emits: the kdamond task, as the kernel's event header records it.
  char comm[17] = {};
  ::prctl(PR_GET_NAME, comm);
  const int cpu = ::sched_getcpu();
  std::string line;
  line.reserve(256);
  append_number(line, r.time_us);
  line += '\t';
  append_number(line, static_cast<uint64_t>(::gettid()));
  line += '\t';
  append_number(line, static_cast<uint64_t>(cpu < 0 ? 0 : cpu));
  line += '\t';
  line += comm;
  line += '\t';
  line += trace_event_spec(r.event).name;
  line += '\t';
  line += trace_printk(r);
  line += '\t';
  append_trace_fields(line, r);
  line += '\n';
  std::lock_guard lock(mu_);
  if (!wants(r.event)) return;  // stopped meanwhile
  if (pending_.size() + line.size() > max_bytes_) {
    ++lost_;
    return;
  }
  pending_ += line;
}

}  // namespace damonfs::fs
