#include "engine/core/context.h"

#include <algorithm>
#include <cerrno>
#include <utility>

#include "engine/core/arith.h"
#include "engine/core/attrs.h"
#include "engine/core/intervals_tuning.h"
#include "engine/core/regions.h"

namespace damon {

class Context::Impl {
 public:
  Impl(Context& self, ContextParams params, Machine& machine, const Clock& clock, uint64_t seed,
       SelectOps select_ops)
      : self_(self),
        params_(std::move(params)),
        machine_(machine),
        clock_(clock),
        rng_(seed),
        select_ops_(select_ops),
        // Selected now as well as at start(): a DAMOS view of a context not
        // yet started (ContextWork builds its schemes first) binds ops().
        ops_(select_ops_(params_.ops)) {
    attrs_ = params_.attrs;
    min_region_size_ = damon::min_region_size(params_);
  }

  int start();
  void iterate();
  int commit(const ContextParams& params);
  uint64_t next_sample_deadline(uint64_t now) const;
  uint64_t next_sleep_us() const {
    const uint64_t now = clock_.now_us();
    return deadline_us_ > now ? deadline_us_ - now : 0;
  }
  uint64_t region_size_limit() const;
  bool targets_all_invalid() const { return ops_ && ops_->all_targets_invalid(self_); }

  Context& self_;
  ContextParams params_;
  Machine& machine_;
  const Clock& clock_;
  Rng rng_;
  SelectOps select_ops_;
  SchemesHook* hook_ = nullptr;
  TraceSink* trace_ = nullptr;

  MonitoringAttrs attrs_;    // live, possibly auto-tuned
  uint64_t aggr_samples_ = 0;  // samples per aggregation as the user last set it
  uint64_t attrs_generation_ = 0;
  uint64_t min_region_size_ = kPageSize;
  std::vector<Target> targets_;
  std::unique_ptr<Operations> ops_;

  uint64_t passed_samples_ = 0;
  uint64_t next_aggregation_sample_ = 0;
  uint64_t next_ops_update_sample_ = 0;
  uint64_t next_intervals_tune_sample_ = 0;
  uint64_t merge_size_limit_ = 0;  // computed at start and after ops updates
  // The kernel keeps the region count of the previous split in a function
  // static shared by every kdamond, so one kdamond's splitting depends on
  // what the others did last. Here it is per context: kdamonds stay
  // independent and a context's regions depend only on its seed and inputs.
  uint64_t last_split_nr_regions_ = 0;

  bool started_ = false;
  bool sample_pending_ = false;  // a sample was prepared and not yet checked
  bool aggregation_boundary_ = false;
  uint64_t deadline_us_ = 0;
  uint64_t stamp_us_ = 0;     // sample_end_us()
  bool stamp_resync_ = true;  // no sample since start or a wait

 private:
  void set_attrs(const MonitoringAttrs& attrs, uint64_t aggr_samples);
  void refresh_validity();
  void begin_next_sample();
  void finish_sample();
  void merge_regions(uint32_t threshold);
  // What the merge threshold scales with: the largest nr_accesses, or with
  // probe weights the largest weighted probe hits sum (nr_accesses is 0).
  uint32_t max_merge_score(uint32_t max_nr_accesses) const;
  std::vector<uint32_t> probe_weights() const;
  void reset_aggregated();
  void trace_aggregated(TraceSink* aggregated, TraceSink* region_aggregated) const;
  // The time this iteration's events carry: the kdamond's own schedule,
  // one sampling interval per finished sample from the first sample's
  // deadline, so a kdamond woken late on a loaded machine (even by more
  // than a sampling interval, which restarts its beat) still reports its
  // aggregations one aggregation interval apart, as a kernel kdamond, whose
  // work is negligible, does. A kdamond that keeps falling behind thus
  // reports times behind the clock. Back on the clock after a pause or a
  // watermark wait.
  uint64_t sample_end_us() const { return stamp_us_; }
  void advance_stamp() {
    stamp_us_ = stamp_resync_ ? deadline_us_ : stamp_us_ + attrs_.sample_us;
    stamp_resync_ = false;
  }
  void split_regions();
  void apply_min_nr_regions();
  void tune_intervals();
  void install_target(Target& target, const TargetParams& from, uint64_t min_region_size) const;
};

namespace {

constexpr uint32_t kBp = 10000;

}  // namespace

uint64_t Context::Impl::region_size_limit() const {
  uint64_t limit = total_region_bytes(targets_);
  if (attrs_.min_nr_regions) limit /= attrs_.min_nr_regions;
  return std::max(limit, min_region_size_);
}

void Context::Impl::install_target(Target& target, const TargetParams& from,
                                   uint64_t min_region_size) const {
  target.pid = params_.ops == OpsId::paddr ? 0 : from.pid;
  if (!from.regions.empty()) set_regions(target.regions, from.regions, min_region_size);
}

void Context::Impl::refresh_validity() {
  for (Target& t : targets_) t.valid = ops_->target_valid(self_, t);
}

void Context::Impl::set_attrs(const MonitoringAttrs& attrs, uint64_t aggr_samples) {
  const bool aggregating = passed_samples_ < next_aggregation_sample_;
  const uint64_t sample = sample_divisor(attrs);
  next_aggregation_sample_ = passed_samples_ + attrs.aggr_us / sample;
  next_ops_update_sample_ = passed_samples_ + attrs.update_us / sample;
  update_monitoring_results(targets_, attrs_, attrs, aggregating);
  attrs_ = attrs;
  aggr_samples_ = aggr_samples;
  ++attrs_generation_;
}

int Context::Impl::start() {
  if (int err = validate(params_, machine_)) return -err;
  ops_ = select_ops_(params_.ops);
  if (!ops_) return -EINVAL;
  attrs_ = params_.attrs;
  aggr_samples_ = attrs_.aggr_us / sample_divisor(attrs_);
  min_region_size_ = damon::min_region_size(params_);
  targets_.assign(params_.targets.size(), Target{});
  for (size_t i = 0; i < targets_.size(); ++i)
    install_target(targets_[i], params_.targets[i], min_region_size_);

  const uint64_t sample = sample_divisor(attrs_);
  passed_samples_ = 0;
  next_aggregation_sample_ = attrs_.aggr_us / sample;
  next_ops_update_sample_ = attrs_.update_us / sample;
  next_intervals_tune_sample_ = next_aggregation_sample_ * attrs_.intervals_goal.aggrs;

  refresh_validity();
  ops_->init(self_);
  if (params_.min_nr_regions_from_start)
    apply_min_nr_regions();
  else
    merge_size_limit_ = region_size_limit();
  started_ = true;
  begin_next_sample();
  return 0;
}

// Steps 1 and 2 of the loop (docs/engine.md, "The monitoring loop"): the
// watermark gate, then a new sample.
void Context::Impl::begin_next_sample() {
  const uint64_t now = clock_.now_us();
  refresh_validity();
  if (params_.pause) {
    deadline_us_ = now + attrs_.sample_us;
    stamp_resync_ = true;
    return;
  }
  if (const uint64_t wait = hook_ ? hook_->watermark_wait_us(self_) : 0) {
    deadline_us_ = now + wait;
    stamp_resync_ = true;
    return;
  }
  ops_->prepare_access_checks(self_);
  sample_pending_ = true;
  deadline_us_ = next_sample_deadline(now);
}

// Samples keep to a fixed beat: the next one is due a sample interval after
// the previous was due, not after this one's work ended, so wakeup delays
// and the work itself do not stretch every aggregation interval (a
// tried-regions walk asked right after an apply pass then waits one apply
// interval, not one and a bit). Behind by a whole interval or more (a long
// stall, a pause, a watermark wait), the beat restarts from now.
uint64_t Context::Impl::next_sample_deadline(uint64_t now) const {
  const uint64_t on_beat = deadline_us_ + attrs_.sample_us;
  return on_beat > now && on_beat - now <= attrs_.sample_us ? on_beat : now + attrs_.sample_us;
}

void Context::Impl::iterate() {
  if (!started_) return;
  aggregation_boundary_ = false;
  if (sample_pending_) finish_sample();
  begin_next_sample();
}

// The rest of the loop (kdamond_fn after the sampling sleep). The boundaries
// are read once up front, as the kernel does: a commit made from the hook takes
// effect from the next iteration.
void Context::Impl::finish_sample() {
  sample_pending_ = false;
  const uint64_t aggregation_due = next_aggregation_sample_;
  const uint64_t ops_update_due = next_ops_update_sample_;

  ++passed_samples_;
  advance_stamp();
  const uint32_t max_nr_accesses = ops_->check_accesses(self_);
  if (!params_.probes.empty()) ops_->apply_probes(self_);
  aggregation_boundary_ = passed_samples_ >= aggregation_due;
  if (aggregation_boundary_) {
    merge_regions(max_merge_score(max_nr_accesses) / 10);
    // The kernel's order: after the merge, before requests and schemes.
    if (params_.min_nr_regions_from_start) apply_min_nr_regions();
  }

  if (hook_) hook_->apply(self_);

  uint64_t sample = sample_divisor(attrs_);
  if (aggregation_boundary_) {
    if (attrs_.intervals_goal.aggrs && passed_samples_ >= next_intervals_tune_sample_) {
      // A commit served from the hook may have moved the boundary; restore
      // it so the tuning's attribute change sees the aggregation as finished
      // (and keeps, rather than drops, its counts).
      next_aggregation_sample_ = aggregation_due;
      next_intervals_tune_sample_ += aggr_samples_ * attrs_.intervals_goal.aggrs;
      tune_intervals();
      sample = sample_divisor(attrs_);
    }
    next_aggregation_sample_ = aggregation_due + attrs_.aggr_us / sample;
    reset_aggregated();
    split_regions();
  }

  if (passed_samples_ >= ops_update_due) {
    next_ops_update_sample_ = ops_update_due + attrs_.update_us / sample;
    ops_->update(self_);
    // From 7.2 the limit follows every aggregation instead (apply_min_nr_regions).
    if (!params_.min_nr_regions_from_start) merge_size_limit_ = region_size_limit();
  }
}

// kdamond_merge_regions: when the regions still exceed max_nr_regions, merge again with a
// doubled threshold until it reaches the largest possible nr_accesses.
std::vector<uint32_t> Context::Impl::probe_weights() const {
  std::vector<uint32_t> w;
  for (const ProbeParams& p : params_.probes) w.push_back(p.weight);
  return w;
}

uint32_t Context::Impl::max_merge_score(uint32_t max_nr_accesses) const {
  if (!has_probe_weights(params_)) return max_nr_accesses;
  const std::vector<uint32_t> weights = probe_weights();
  uint32_t max_score = 0;
  for (const Target& t : targets_)
    for (const Region& r : t.regions) max_score = std::max(max_score, merge_score(r, false, weights));
  return max_score;
}

void Context::Impl::merge_regions(uint32_t threshold) {
  const std::vector<uint32_t> weights = probe_weights();
  const uint64_t max_threshold = attrs_.aggr_us / sample_divisor(attrs_);
  uint64_t t = threshold;
  uint64_t nr_regions = 0;
  do {
    nr_regions = 0;
    for (Target& target : targets_) {
      merge_regions_of(target.regions, static_cast<uint32_t>(t), merge_size_limit_, weights);
      nr_regions += target.regions.size();
    }
    t = std::max<uint64_t>(1, t * 2);
  } while (nr_regions > attrs_.max_nr_regions && t / 2 < max_threshold);
}

// The kernel's kdamond_reset_aggregated traces every region before it
// clears its counts: damon_aggregated, and from 7.2 damon_region_aggregated
// with the probes' hits.
void Context::Impl::trace_aggregated(TraceSink* aggregated, TraceSink* region_aggregated) const {
  const uint64_t now = sample_end_us();
  const auto nr_probes = static_cast<uint8_t>(params_.probes.size());
  for (size_t ti = 0; ti < targets_.size(); ++ti) {
    const uint64_t nr_regions = targets_[ti].regions.size();
    for (const Region& r : targets_[ti].regions) {
      if (aggregated) {
        aggregated->emit(TraceRecord{
            .event = TraceEvent::damon_aggregated,
            .time_us = now,
            .nr_fields = 6,
            .fields = {ti, nr_regions, r.ar.start, r.ar.end, r.nr_accesses, r.age}});
      }
      if (region_aggregated) {
        region_aggregated->emit(TraceRecord{
            .event = TraceEvent::damon_region_aggregated,
            .time_us = now,
            .nr_fields = 6,
            .fields = {ti, r.ar.start, r.ar.end, nr_regions, r.nr_accesses, r.age},
            .nr_probe_hits = nr_probes,
            .probe_hits = r.probe_hits});
      }
    }
  }
}

void Context::Impl::reset_aggregated() {
  TraceSink* aggregated = tracing(trace_, TraceEvent::damon_aggregated);
  TraceSink* region_aggregated = tracing(trace_, TraceEvent::damon_region_aggregated);
  if (aggregated || region_aggregated) trace_aggregated(aggregated, region_aggregated);
  for (Target& t : targets_) {
    for (Region& r : t.regions) {
      // The smoothed count equals the finished aggregation's count by
      // construction; re-anchor it where rounding of the moving sum (or an
      // attribute change mid-aggregation) left it off, as the kernel does.
      r.nr_accesses_bp = r.nr_accesses * kBp;
      r.last_nr_accesses = r.nr_accesses;
      r.nr_accesses = 0;
      r.last_probe_hits = r.probe_hits;
      r.probe_hits = {};
    }
  }
}

// kdamond_split_regions: split only while at most half of max_nr_regions are used; three
// pieces when the count did not change since the last split (the middle of
// a region may differ from its ends) and there is room for them.
void Context::Impl::split_regions() {
  const uint64_t nr_regions = total_nr_regions(targets_);
  if (nr_regions > attrs_.max_nr_regions / 2) return;
  int pieces = 2;
  if (last_split_nr_regions_ == nr_regions && nr_regions < attrs_.max_nr_regions / 3) pieces = 3;
  for (Target& t : targets_) split_regions_of(t.regions, pieces, min_region_size_, rng_);
  last_split_nr_regions_ = nr_regions;
}

// damon_apply_min_nr_regions (7.2): the merge's size limit, aligned up to the
// min region size, now bounds every region as well, so no aggregation, the
// very first included, shows fewer than min_nr_regions regions.
void Context::Impl::apply_min_nr_regions() {
  merge_size_limit_ = arith::align_up(region_size_limit(), min_region_size_);
  for (Target& t : targets_) cut_regions_to(t.regions, merge_size_limit_);
}

void Context::Impl::tune_intervals() {
  const uint64_t score = intervals_score(targets_, aggr_samples_, attrs_.intervals_goal.access_bp);
  const uint64_t adaptation = intervals_adaptation_bp(score);
  if (adaptation == 10000) return;
  const MonitoringAttrs next = tuned_attrs(attrs_, aggr_samples_, adaptation);
  // Traced before the attributes are set, whether or not they can be.
  if (TraceSink* sink = tracing(trace_, TraceEvent::damon_monitor_intervals_tune)) {
    sink->emit(TraceRecord{.event = TraceEvent::damon_monitor_intervals_tune,
                           .time_us = sample_end_us(),
                           .nr_fields = 1,
                           .fields = {next.sample_us}});
  }
  if (valid_attrs(next)) set_attrs(next, aggr_samples_);
}

int Context::Impl::commit(const ContextParams& params) {
  if (!started_) return -EINVAL;  // like `commit` on a kdamond that is not running
  if (int err = validate(params, machine_)) return -err;
  // A target to drop must have a running counterpart (6.19 obsolete_target).
  for (size_t i = targets_.size(); i < params.targets.size(); ++i)
    if (params.targets[i].obsolete) return -EINVAL;
  std::unique_ptr<Operations> new_ops;
  if (params.ops != params_.ops) {
    new_ops = select_ops_(params.ops);
    if (!new_ops) return -EINVAL;
  }

  // Nothing below can fail: the context is changed all at once.
  params_ = params;
  const uint64_t new_min_region_size = damon::min_region_size(params_);
  std::vector<Target> next;
  next.reserve(params_.targets.size());
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (i >= params_.targets.size() || params_.targets[i].obsolete) continue;
    install_target(targets_[i], params_.targets[i], new_min_region_size);
    next.push_back(std::move(targets_[i]));
  }
  for (size_t i = targets_.size(); i < params_.targets.size(); ++i) {
    next.emplace_back();
    install_target(next.back(), params_.targets[i], new_min_region_size);
  }
  targets_ = std::move(next);

  if (!(attrs_ == params_.attrs))
    set_attrs(params_.attrs, params_.attrs.aggr_us / sample_divisor(params_.attrs));
  if (new_ops) ops_ = std::move(new_ops);
  min_region_size_ = new_min_region_size;

  refresh_validity();
  // A sample in flight was prepared on the old targets and regions: sample
  // again so every region checked next has an address cleared in its space.
  if (sample_pending_) ops_->prepare_access_checks(self_);
  return 0;
}

Context::Context(ContextParams params, Machine& machine, const Clock& clock, uint64_t seed,
                 SelectOps select_ops)
    : impl_(std::make_unique<Impl>(*this, std::move(params), machine, clock, seed, select_ops)) {}

Context::~Context() = default;

int Context::start() { return impl_->start(); }
void Context::iterate() { impl_->iterate(); }
uint64_t Context::next_sleep_us() { return impl_->next_sleep_us(); }
uint64_t Context::next_deadline_us() const { return impl_->deadline_us_; }
bool Context::targets_all_invalid() const { return impl_->targets_all_invalid(); }
int Context::commit(const ContextParams& params) { return impl_->commit(params); }
void Context::set_schemes_hook(SchemesHook* hook) { impl_->hook_ = hook; }
void Context::set_trace_sink(TraceSink* sink) { impl_->trace_ = sink; }
TraceSink* Context::trace_sink() const { return impl_->trace_; }
const ContextParams& Context::params() const { return impl_->params_; }
const MonitoringAttrs& Context::attrs() const { return impl_->attrs_; }
uint64_t Context::attrs_generation() const { return impl_->attrs_generation_; }
std::vector<Target>& Context::targets() { return impl_->targets_; }
const std::vector<Target>& Context::targets() const { return impl_->targets_; }
Machine& Context::machine() { return impl_->machine_; }
const Machine& Context::machine() const { return impl_->machine_; }
const Operations& Context::ops() const { return *impl_->ops_; }
const Clock& Context::clock() const { return impl_->clock_; }
Rng& Context::rng() { return impl_->rng_; }
uint64_t Context::passed_samples() const { return impl_->passed_samples_; }
uint64_t Context::samples_per_aggregation() const { return max_nr_accesses(impl_->attrs_); }
uint64_t Context::samples_left_in_aggregation() const {
  const uint64_t due = impl_->next_aggregation_sample_, passed = impl_->passed_samples_;
  return due > passed ? due - passed : 0;
}
uint64_t Context::min_region_size() const { return impl_->min_region_size_; }
uint64_t Context::region_size_limit() const { return impl_->region_size_limit(); }
uint64_t Context::nr_regions() const { return total_nr_regions(impl_->targets_); }
bool Context::aggregation_boundary() const { return impl_->aggregation_boundary_; }

}  // namespace damon
