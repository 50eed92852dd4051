#include "engine/machine/sim/scenario_replay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/machine/machine.h"
#include "engine/machine/sim/scenario_io.h"

namespace damon::sim {
namespace {

struct Span {
  uint64_t start, end;
};

uint64_t page_down(uint64_t a) { return a / kPageSize * kPageSize; }
uint64_t page_up(uint64_t a) { return (a + kPageSize - 1) / kPageSize * kPageSize; }

// The address ranges any snapshot's regions covered, merged.
std::vector<Span> covered(const DamoRecord& rec) {
  std::vector<Span> all;
  for (const DamoSnapshot& s : rec.snapshots)
    for (const DamoRegion& r : s.regions) all.push_back({page_down(r.start), page_up(r.end)});
  std::sort(all.begin(), all.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  std::vector<Span> out;
  for (const Span& s : all) {
    if (!out.empty() && s.start <= out.back().end) out.back().end = std::max(out.back().end, s.end);
    else out.push_back(s);
  }
  return out;
}

// The segments the covered ranges are cut into: at the region boundaries
// the record holds most often, at most `max_segments` of them (and the
// ranges' own ends). Boundaries are counted by the nearest multiple of a
// fine step (1/16 of an even share) from their range's start: DAMON's
// regions keep the edges of a hot area from one aggregation to the next
// give or take a few pages, so an edge counts as one boundary seen often,
// and is kept, while the random cuts of its splitting are each seen
// rarely, and are dropped. A kept edge is cut at the address it was seen
// at most often, not at the step: a cut a fraction of a step off the
// workload's edge leaves a segment part hot, part idle, and DAMON's idle
// region beside it would then find the hot part now and then, counting
// whole in the working set.
std::vector<Span> segments(const DamoRecord& rec, const std::vector<Span>& ranges, uint32_t max_segments) {
  uint64_t total = 0;
  for (const Span& s : ranges) total += s.end - s.start;
  const uint64_t fine = std::max(kPageSize, page_up(total / (16 * uint64_t{max_segments})));
  std::vector<std::pair<uint64_t, uint64_t>> seen;  // (step, address)
  for (const DamoSnapshot& snap : rec.snapshots) {
    for (const DamoRegion& r : snap.regions) {
      for (const uint64_t b : {page_down(r.start), page_up(r.end)}) {
        // The range holding b: the last one starting at or before it.
        auto it = std::upper_bound(ranges.begin(), ranges.end(), b, [](uint64_t v, const Span& s) { return v < s.start; });
        const Span& s = *std::prev(it);
        const uint64_t step = std::min(s.end, s.start + (b - s.start + fine / 2) / fine * fine);
        if (step != s.start && step != s.end && b != s.start && b != s.end) seen.push_back({step, b});
      }
    }
  }
  std::sort(seen.begin(), seen.end());
  struct Edge {
    uint64_t times, at;
  };
  std::vector<Edge> counted;  // per step: times seen, and its most frequent address
  for (size_t i = 0; i < seen.size();) {
    Edge edge{0, seen[i].second};
    uint64_t best = 0;
    size_t j = i;
    while (j < seen.size() && seen[j].first == seen[i].first) {
      size_t k = j;
      while (k < seen.size() && seen[k] == seen[j]) ++k;
      if (k - j > best) {  // of equals, the lowest address
        best = k - j;
        edge.at = seen[j].second;
      }
      j = k;
    }
    edge.times = j - i;
    counted.push_back(edge);
    i = j;
  }
  // Most often seen first; of equals, the lowest address.
  std::stable_sort(counted.begin(), counted.end(), [](const Edge& a, const Edge& b) { return a.times > b.times; });
  if (counted.size() > max_segments) counted.resize(max_segments);
  std::vector<uint64_t> cuts;
  for (const Span& s : ranges) {
    cuts.push_back(s.start);
    cuts.push_back(s.end);
  }
  for (const Edge& c : counted) cuts.push_back(c.at);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<Span> out;
  size_t range = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    while (ranges[range].end <= cuts[i]) ++range;
    if (cuts[i] >= ranges[range].start && cuts[i + 1] <= ranges[range].end) out.push_back({cuts[i], cuts[i + 1]});
  }
  return out;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string process_name(const ReplayOptions& options, const std::string& file, size_t index, size_t count) {
  std::string base = options.name.empty() ? file_stem(file) : options.name;
  if (base.empty()) base = "replay";
  if (count == 1) return base.substr(0, kMaxCommLen);
  // Appended, not `"-" + std::to_string(index)`: g++ 12 -O3 warns about
  // that with a false -Wrestrict (GCC bug 105329).
  std::string suffix;
  if (index) suffix.append("-").append(std::to_string(index));
  return base.substr(0, kMaxCommLen - suffix.size()) + suffix;
}

class TargetReplay {
 public:
  TargetReplay(const DamoRecord& rec, const ReplayOptions& options, const std::string& file)
      : rec_(rec), options_(options), file_(file) {}

  ProcessSpec process(std::string name) {
    if (rec_.snapshots.empty())
      throw ScenarioError(file_ + ": target " + std::to_string(rec_.target_id) + " has no snapshot");
    ProcessSpec p;
    p.name = std::move(name);
    p.loop = options_.loop;
    p.program_accesses = false;
    const std::vector<Span> ranges = covered(rec_);
    segs_ = segments(rec_, ranges, options_.segments);
    // The simulator lays regions out from the top of the mmap area down:
    // highest address first, each part of a covered range right below the
    // part above it, so the replayed process keeps the record's layout.
    for (size_t i = segs_.size(); i-- > 0;) {
      RegionSpec r;
      r.name = hex(segs_[i].start);
      r.size = segs_[i].end - segs_[i].start;
      r.adjoin = i + 1 < segs_.size() && segs_[i + 1].start == segs_[i].end;
      // A region found accessed in n of m samples: every DAMON region
      // inside the segment finds it in n, and segments of one count at the
      // same instants, as in the record. Pages drawn one by one would give
      // each DAMON region its own count and split them.
      r.together = true;
      p.regions.push_back(std::move(r));
    }
    std::vector<const DamoSnapshot*> order;
    for (const DamoSnapshot& s : rec_.snapshots) order.push_back(&s);
    std::stable_sort(order.begin(), order.end(),
                     [](const DamoSnapshot* a, const DamoSnapshot* b) { return a->start_ns < b->start_ns; });
    std::vector<Rates> rates;
    for (const DamoSnapshot* s : order) rates.push_back(this->rates(*s));
    for (size_t k = 0; k < order.size(); ++k) {
      const DamoSnapshot& s = *order[k];
      const uint64_t until = k + 1 < order.size() ? order[k + 1]->start_ns : s.end_ns;
      const uint64_t duration_us = std::max<uint64_t>(1, (until - s.start_ns + 500) / 1000);
      for (PhaseSpec& ph : snapshot_phases(rates, k, duration_us)) {
        ph.name = "snapshot " + std::to_string(k);
        // A run of equal snapshots is one phase.
        if (!p.phases.empty() && same(p.phases.back().access, ph.access)) {
          p.phases.back().duration_us += ph.duration_us;
          continue;
        }
        p.phases.push_back(std::move(ph));
      }
    }
    return p;
  }

 private:
  // A snapshot's rate per segment (ascending addresses), and how its
  // samples were taken.
  struct Rates {
    std::vector<double> rate;
    double max_accesses = 1;  // samples per aggregation
    uint64_t sample_us = 0;   // the time each sample watched its page
  };

  // The phases replaying snapshot k over `duration_us`. A segment accessed
  // in this snapshot and in both around it is accessed at its rate all
  // through (steady access, or a region seen in some samples of every
  // aggregation). One where its access starts or ends, or an isolated one,
  // was busy for part of the snapshot: seen in n of m samples, it is
  // replayed as seen in (nearly) every sample for n of the m sampling
  // intervals, next to the neighbouring snapshot it was also accessed in
  // (centred when in neither). Spread over the whole snapshot instead,
  // the accesses of a workload's phase change would reach into the
  // replay's windows on both sides of it.
  std::vector<PhaseSpec> snapshot_phases(const std::vector<Rates>& rates, size_t k, uint64_t duration_us) const {
    const Rates& now = rates[k];
    const size_t n = segs_.size();
    const double busy = replay_intensity(now.max_accesses, now.max_accesses, now.sample_us);
    const double seen = (now.max_accesses - 0.5) / now.max_accesses;  // per sample at that rate
    // Per segment, the part of the snapshot it is accessed in (all of it
    // when spread) and its rate there.
    std::vector<std::pair<uint64_t, uint64_t>> when(n, {0, duration_us});
    std::vector<double> rate = now.rate;
    std::vector<uint64_t> cuts = {0, duration_us};
    for (size_t i = 0; i < n; ++i) {
      if (rate[i] == 0) continue;
      // The first and last snapshot are taken as continued beyond the record.
      const bool before = k == 0 || rates[k - 1].rate[i] > 0, after = k + 1 == rates.size() || rates[k + 1].rate[i] > 0;
      if (before && after) continue;
      const double fraction = -std::expm1(-rate[i] * static_cast<double>(now.sample_us) / 1e6);
      const auto length = static_cast<uint64_t>(
          std::llround(std::min(1.0, fraction / seen) * static_cast<double>(duration_us)));
      if (length >= duration_us) continue;
      const uint64_t start = before ? 0 : after ? duration_us - length : (duration_us - length) / 2;
      when[i] = {start, start + length};
      rate[i] = busy;
      cuts.push_back(start);
      cuts.push_back(start + length);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::vector<PhaseSpec> out;
    for (size_t c = 0; c + 1 < cuts.size(); ++c) {
      PhaseSpec ph;
      ph.duration_us = cuts[c + 1] - cuts[c];
      for (size_t i = n; i-- > 0;) {  // regions highest address first
        Access a;
        a.intensity = when[i].first <= cuts[c] && cuts[c + 1] <= when[i].second ? rate[i] : 0;
        ph.access.push_back(a);
      }
      out.push_back(std::move(ph));
    }
    return out;
  }

  Rates rates(const DamoSnapshot& s) const {
    uint64_t sample_us = s.sample_us ? s.sample_us : rec_.sample_us ? rec_.sample_us : kDefaultReplaySampleUs;
    const uint64_t length_us = s.end_ns > s.start_ns ? (s.end_ns - s.start_ns) / 1000 : 0;
    // Samples per aggregation: the record's intervals say (auto-tuning
    // scales both alike); a snapshot's length only when they are unknown,
    // as a busy kdamond stretches its aggregations without sampling more.
    const bool known = rec_.aggr_us && rec_.sample_us;
    const double max_accesses =
        known ? std::max(1.0, std::round(static_cast<double>(rec_.aggr_us) / static_cast<double>(rec_.sample_us)))
              : std::max(1.0, std::round(static_cast<double>(length_us ? length_us : sample_us) /
                                         static_cast<double>(sample_us)));
    // Each of those samples then watched its page for longer than the
    // sampling interval: from one check to the next, the snapshot's length
    // over its samples (a kdamond that took 190 ms for 20 samples saw each
    // page for 9.5 ms). A rate read as if over 5 ms would be nearly twice
    // too high for the regions seen in few samples.
    if (known && length_us > sample_us * max_accesses)
      sample_us = static_cast<uint64_t>(std::llround(static_cast<double>(length_us) / max_accesses));
    // Coverage-weighted mean rate of each segment; bytes no region covers
    // in this snapshot (a mapping not there yet) are not accessed.
    std::vector<double> weighted(segs_.size(), 0);
    for (const DamoRegion& r : s.regions) {
      const double rate = replay_intensity(r.nr_accesses, max_accesses, sample_us);
      if (rate == 0) continue;
      auto it = std::upper_bound(segs_.begin(), segs_.end(), r.start, [](uint64_t v, const Span& g) { return v < g.end; });
      for (; it != segs_.end() && it->start < r.end; ++it) {
        const uint64_t overlap = std::min(it->end, r.end) - std::max(it->start, r.start);
        weighted[static_cast<size_t>(it - segs_.begin())] += rate * static_cast<double>(overlap);
      }
    }
    Rates out;
    out.max_accesses = max_accesses;
    out.sample_us = sample_us;
    for (size_t i = 0; i < segs_.size(); ++i)
      out.rate.push_back(weighted[i] / static_cast<double>(segs_[i].end - segs_[i].start));
    return out;
  }

  static bool same(const std::vector<Access>& a, const std::vector<Access>& b) {
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].intensity != b[i].intensity) return false;
    return true;
  }

  const DamoRecord& rec_;
  const ReplayOptions& options_;
  const std::string& file_;
  std::vector<Span> segs_;  // ascending addresses
};

}  // namespace

double replay_intensity(double nr_accesses, double max_accesses, uint64_t sample_us) {
  if (nr_accesses <= 0 || sample_us == 0) return 0;
  // Seen in every sample: as likely as can be told apart from "in all but
  // one" (a finite rate; every sample would need an infinite one).
  const double fraction = std::min(nr_accesses, max_accesses - 0.5) / max_accesses;
  return -std::log1p(-fraction) / (static_cast<double>(sample_us) / 1e6);
}

void append_replay_processes(const std::vector<DamoRecord>& records, const ReplayOptions& options,
                             const std::string& file, Scenario& scenario) {
  if (records.empty()) throw ScenarioError(file + ": the record holds no target");
  if (options.segments == 0 || options.segments > kMaxReplaySegments)
    throw ScenarioError(file + ": segments must be 1 to " + std::to_string(kMaxReplaySegments));
  for (size_t i = 0; i < records.size(); ++i) {
    scenario.processes.push_back(
        TargetReplay(records[i], options, file).process(process_name(options, file, i, records.size())));
  }
}

Scenario parse_record_scenario(std::string_view data, const std::string& file) {
  Scenario s;
  s.name = file_stem(file);
  s.machine = default_machine();
  append_replay_processes(parse_damo_records(data, file), ReplayOptions{}, file, s);
  validate_file(s, file);
  return s;
}

}  // namespace damon::sim
