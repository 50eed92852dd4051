#include "engine/kdamond/context_work.h"

#include "engine/damos/monitor_view.h"
#include "engine/kdamond/damos_walk.h"
#include "engine/ops/registry.h"

namespace damon {

ContextWork::ContextWork(const ContextParams& params, Machine& machine, const Clock& clock,
                         uint64_t seed, TraceSink* trace)
    : context_(params, machine, clock, seed, make_operations), schemes_(params.schemes, view_of(context_)) {
  context_.set_schemes_hook(&schemes_);
  context_.set_trace_sink(trace);
}

int ContextWork::start() { return context_.start(); }

void ContextWork::iterate() {
  context_.iterate();
  // A paused context serves requests but applies no scheme, so a pending
  // tried-regions walk could never finish: the kernel cancels it.
  if (context_.params().pause) schemes_.cancel_walk();
}

uint64_t ContextWork::next_sleep_us() { return context_.next_sleep_us(); }

bool ContextWork::should_stop() { return context_.targets_all_invalid(); }

void ContextWork::begin_walk(DamosWalk& walk) {
  WalkRequest request{
      .on_region = [&walk](size_t scheme, const TriedRegion& r) { walk.report(scheme, r); },
      .on_end = [&walk](int result) { result == 0 ? walk.finish() : walk.cancel(); },
  };
  if (schemes_.request_walk(std::move(request)) != 0) walk.cancel();
}

int ContextWork::commit(const ContextParams& params) {
  if (int err = context_.commit(params)) return err;
  schemes_.commit(params.schemes, view_of(context_));
  return 0;
}

void ContextWork::commit_quota_goals(const ContextParams& params) {
  schemes_.commit_quota_goals(params.schemes);
}

}  // namespace damon
