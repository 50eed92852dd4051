#include "engine/damos/schemes.h"

#include <algorithm>
#include <cerrno>

#include "engine/core/attrs.h"
#include "engine/core/context.h"
#include "engine/core/regions.h"
#include "engine/damos/access_pattern.h"
#include "engine/damos/apply_action.h"
#include "engine/damos/arith.h"
#include "engine/damos/goal_tuner.h"
#include "engine/damos/priority.h"

namespace damon {

Schemes::Schemes(const std::vector<SchemeParams>& params, const MonitorView& view)
    : attrs_generation_(view.attrs_generation) {
  schemes_.reserve(params.size());
  for (const SchemeParams& p : params) {
    schemes_.emplace_back(p);
    schedule(schemes_.back(), view);
  }
}

Schemes::~Schemes() { cancel_walk(); }

bool Schemes::due(const Scheme& s, const MonitorView& view) const {
  return view.passed_samples >= s.next_apply_sample;
}

void Schemes::schedule(Scheme& s, const MonitorView& view) {
  const uint64_t interval_us =
      s.params.apply_interval_us ? s.params.apply_interval_us : view.attrs.aggr_us;
  s.next_apply_sample = view.passed_samples + interval_us / sample_divisor(view.attrs);
}

uint64_t Schemes::watermark_wait_us(Context& ctx) { return watermark_wait_us(ctx.machine()); }

void Schemes::apply(Context& ctx) { apply(view_of(ctx)); }

uint64_t Schemes::watermark_wait_us(const Machine& machine) {
  if (schemes_.empty()) return 0;
  uint64_t min_wait = kUnlimited;
  for (Scheme& s : schemes_) {
    const std::optional<uint64_t> value = watermark_metric_value(s.params.watermarks, machine);
    min_wait = std::min(min_wait, s.wmarks.check(s.params.watermarks, value));
  }
  if (min_wait) cancel_walk();
  return min_wait;
}

void Schemes::adjust_quota(Scheme& s, const MonitorView& view) {
  const Quota& q = s.params.quota;
  if (!QuotaState::configured(q)) return;

  const QuotaState::WindowChange window =
      s.quota.roll_window(view.sample_due_us / 1000, q.reset_interval_ms);
  if (window.started) {
    if (window.exceeded) ++s.stats.qt_exceeds;
    uint64_t score = 0;
    for (LiveGoal& g : s.goals) {
      refresh_goal(g, view, s.params.pattern);
      score = std::max(score, goal_achievement_bp(g.goal));
    }
    const bool had_esz = s.quota.limited();
    const uint64_t old_esz = s.quota.esz();
    s.quota.update_esz(q, score, view.min_region_size);
    // The kernel traces a changed esz at later windows, not the first one's.
    if (TraceSink* sink = tracing(view.trace, TraceEvent::damos_esz);
        sink && had_esz && s.quota.esz() != old_esz) {
      sink->emit(TraceRecord{.event = TraceEvent::damos_esz,
                             .time_us = view.clock.now_us(),
                             .nr_fields = 3,
                             .fields = {0, index_of(s), s.quota.esz()}});
    }
  }

  // Rank every region the pattern admits (filters do not count here) and
  // keep the best ones that fit the quota.
  const ScoreKind kind = view.ops.score_kind(s.params.action);
  ScoreHistogram histogram;
  for (const Target& t : view.targets)
    for (const Region& r : t.regions)
      if (pattern_matches(s.params.pattern, r))
        histogram.add(region_score(kind, r, view.attrs, q), r.size());
  s.quota.set_min_score(histogram.min_score(s.quota.esz()));
}

void Schemes::apply(const MonitorView& view) {
  if (view.attrs_generation != attrs_generation_) {
    attrs_generation_ = view.attrs_generation;
    for (Scheme& s : schemes_) schedule(s, view);
  }
  if (schemes_.empty()) {
    cancel_walk();
    return;
  }
  bool any_to_apply = false;
  for (Scheme& s : schemes_) {
    if (!due(s, view) || !s.wmarks.active()) continue;
    any_to_apply = true;
    s.quota.drop_stop_beyond(view.targets.size());
    adjust_quota(s, view);
  }
  if (!any_to_apply) return;

  for (size_t ti = 0; ti < view.targets.size(); ++ti)
    if (view.targets[ti].valid) apply_to_target(ti, view);

  // Deactivated schemes that were due also end their round here.
  for (Scheme& s : schemes_) {
    if (!due(s, view)) continue;
    finish_walk_round(s);
    schedule(s, view);
    s.last_folio.reset();
    if (TraceSink* sink = tracing(view.trace, TraceEvent::damos_stat_after_apply_interval)) {
      const SchemeStats& st = s.stats;
      sink->emit(TraceRecord{.event = TraceEvent::damos_stat_after_apply_interval,
                             .time_us = view.clock.now_us(),
                             .nr_fields = 9,
                             .fields = {0, index_of(s), st.nr_tried, st.sz_tried, st.nr_applied,
                                        st.sz_applied, st.sz_ops_filter_passed, st.qt_exceeds,
                                        st.nr_snapshots}});
    }
  }
}

uint64_t Schemes::index_of(const Scheme& s) const {
  return static_cast<uint64_t>(&s - schemes_.data());
}

void Schemes::apply_to_target(size_t ti, const MonitorView& view) {
  std::vector<Region>& regions = view.targets[ti].regions;
  size_t i = 0;
  while (i < regions.size()) {
    // Schemes may split the region; the pieces after the one being worked
    // on wait for the next round.
    const uint64_t end_of_region = regions[i].ar.end;
    const bool last_of_target = i + 1 == regions.size();
    size_t cur = i;
    for (size_t si = 0; si < schemes_.size(); ++si) {
      Scheme& s = schemes_[si];
      if (!due(s, view) || !s.wmarks.active()) continue;
      if (s.quota.exhausted()) continue;
      const QuotaState::Resume resume =
          s.quota.resume(ti, regions[cur], last_of_target, view.min_region_size);
      if (resume.skip) continue;
      if (resume.split_at) {
        split_region_at(regions, cur, resume.split_at);
        ++cur;
      }
      if (s.params.max_nr_snapshots && s.stats.nr_snapshots >= s.params.max_nr_snapshots) continue;
      apply_to_region(s, si, ti, cur, view);
      if (last_of_target) ++s.stats.nr_snapshots;
    }
    while (i < regions.size() && regions[i].ar.start < end_of_region) ++i;
  }
}

void Schemes::apply_to_region(Scheme& s, size_t si, size_t ti, size_t ri, const MonitorView& view) {
  std::vector<Region>& regions = view.targets[ti].regions;
  if (!pattern_matches(s.params.pattern, regions[ri])) return;
  const Quota& q = s.params.quota;
  if (s.quota.limited()) {
    const ScoreKind kind = view.ops.score_kind(s.params.action);
    if (region_score(kind, regions[ri], view.attrs, q) < s.quota.min_score()) return;
  }

  const uint64_t sz = s.quota.fit(regions[ri].size(), view.min_region_size);
  if (!sz) {
    // Less than one minimum region of quota left: tried, nothing applied.
    ++s.stats.nr_tried;
    return;
  }
  if (sz < regions[ri].size()) split_region_at(regions, ri, sz);
  const CoreVerdict verdict = judge_core_filters(s.filters, ti, regions, ri, view.min_region_size);
  if (!verdict.pass) return;

  // The context index is 0: one context per kdamond, as in the kernel.
  if (TraceSink* sink = tracing(view.trace, TraceEvent::damos_before_apply)) {
    const Region& r = regions[ri];
    sink->emit(TraceRecord{.event = TraceEvent::damos_before_apply,
                           .time_us = view.clock.now_us(),
                           .nr_fields = 8,
                           .fields = {0, si, ti, r.ar.start, r.ar.end, r.nr_accesses_bp / 10000,
                                      r.age, regions.size()}});
  }
  const bool timed = !view.clock.still_during_work();
  const uint64_t begin_us = timed ? view.clock.now_us() : 0;
  const SchemeAction act{s.params.action, s.params.target_nid, s.params.dests, s.filters,
                         verdict.allowed};
  const ApplyOutcome out = apply_action(view, view.targets[ti], regions[ri].ar, act, s.last_folio);
  if (walk_ && !s.walk_completed && walk_->on_region)
    walk_->on_region(si, tried_region_of(regions[ri], out.filter_passed, view.nr_probes, view.probe_hits_reading));
  // Charged at the size decided before the core filters ran, like the
  // kernel (an addr filter may have cut the region since).
  s.quota.charge(q, sz, out.applied, timed ? view.clock.now_us() - begin_us : 0);
  s.quota.note_stop(ti, regions[ri].ar.end);
  if (s.params.action != Action::stat) regions[ri].age = 0;

  ++s.stats.nr_tried;
  s.stats.sz_tried += sz;
  if (out.applied) ++s.stats.nr_applied;
  s.stats.sz_applied += out.applied;
  s.stats.sz_ops_filter_passed += out.filter_passed;
}

void Schemes::finish_walk_round(Scheme& s) {
  if (!walk_) return;
  s.walk_completed = true;
  if (!std::all_of(schemes_.begin(), schemes_.end(),
                   [](const Scheme& x) { return x.walk_completed; }))
    return;
  for (Scheme& x : schemes_) x.walk_completed = false;
  end_walk(0);
}

void Schemes::commit(const std::vector<SchemeParams>& params, const MonitorView& view) {
  const size_t kept = std::min(params.size(), schemes_.size());
  for (size_t i = 0; i < kept; ++i) schemes_[i].commit(params[i]);
  schemes_.erase(schemes_.begin() + static_cast<std::ptrdiff_t>(kept), schemes_.end());
  for (size_t i = kept; i < params.size(); ++i) {
    schemes_.emplace_back(params[i]);
    schedule(schemes_.back(), view);
  }
}

void Schemes::commit_quota_goals(const std::vector<SchemeParams>& params) {
  const size_t n = std::min(params.size(), schemes_.size());
  for (size_t i = 0; i < n; ++i) schemes_[i].commit_goals(params[i].quota.goals);
}

std::vector<SchemeStats> Schemes::stats() const {
  std::vector<SchemeStats> out;
  out.reserve(schemes_.size());
  for (const Scheme& s : schemes_) out.push_back(s.stats);
  return out;
}

std::vector<uint64_t> Schemes::effective_bytes() const {
  std::vector<uint64_t> out;
  out.reserve(schemes_.size());
  for (const Scheme& s : schemes_) out.push_back(s.quota.esz());
  return out;
}

int Schemes::request_walk(WalkRequest request) {
  if (walk_) return -EBUSY;
  walk_ = std::move(request);
  return 0;
}

void Schemes::cancel_walk() {
  if (!walk_) return;
  for (Scheme& s : schemes_) s.walk_completed = false;
  end_walk(-ECANCELED);
}

void Schemes::end_walk(int result) {
  // Uninstall first: the requester may ask for the next walk from on_end.
  WalkRequest walk = std::move(*walk_);
  walk_.reset();
  if (walk.on_end) walk.on_end(result);
}

}  // namespace damon
