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
  std::string line = std::to_string(r.time_us) + '\t' + std::to_string(::gettid()) + '\t' +
                     std::to_string(cpu < 0 ? 0 : cpu) + '\t' + comm + '\t' +
                     std::string(trace_event_spec(r.event).name) + '\t' + trace_printk(r) + '\t' +
                     trace_fields(r) + '\n';
  std::lock_guard lock(mu_);
  if (!wants(r.event)) return;  // stopped meanwhile
  if (pending_.size() + line.size() > max_bytes_) {
    ++lost_;
    return;
  }
  pending_ += line;
}

}  // namespace damonfs::fs
