#include "engine/machine/sim/access_schedule.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include "engine/machine/sim/hash.h"

namespace damon::sim {
namespace {

// P(N <= k) for N ~ Poisson(1): e^-1 * sum_{i<=k} 1/i!
constexpr std::array<double, 9> kPoisson1Cdf = {
    0.36787944117144233, 0.73575888234288467, 0.91969860292860584, 0.98101184312384626, 0.99634015317265634,
    0.99940581518241834, 0.99991675885071200, 0.99998975080332540, 0.99999887479740207};

// The number of events in one cell of a unit-rate Poisson process is drawn
// by inverting the Poisson(1) distribution function with a uniform u: the
// cell has at least i events when u reaches P(N <= i - 1) (at most 9).
// u is unit_interval(h), m * 2^-53 with m the top 53 bits of h, so it
// reaches p exactly when m reaches ceil(p * 2^53): compared as integers.
constexpr uint64_t numerator_reaching(double p) {
  const double t = p * 0x1.0p53;  // exact: a power-of-two scaling
  const auto f = static_cast<uint64_t>(t);
  return static_cast<double>(f) == t ? f : f + 1;
}
constexpr std::array<uint64_t, kPoisson1Cdf.size()> kEventsFrom = [] {
  std::array<uint64_t, kPoisson1Cdf.size()> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = numerator_reaching(kPoisson1Cdf[i]);
  return out;
}();
bool has_events(uint64_t h, size_t i) { return i <= kEventsFrom.size() && (h >> 11) >= kEventsFrom[i - 1]; }

// Whether the cell whose hash is h has an event at an offset in [lo, hi).
// Inlined into both of random_touched()'s uses: a call per sampled page was
// 2% of a sample's instructions.
[[gnu::always_inline]] inline bool event_inside(uint64_t h, double lo, double hi) {
  // Event i (1, 2, ...) of the cell is at v_i in [0, 1). Whether the cell
  // has it and whether it is in [lo, hi) are as random as it gets, so the
  // first two (a cell has more only 8% of the time) are tested without
  // branches: on a page sampled every few milliseconds, mispredictions
  // cost more than the hashing.
  const auto in_window = [&](size_t i) {
    const double v = unit_interval(hash2(h, i));
    return has_events(h, i) & (v >= lo) & (v < hi);
  };
  bool hit = in_window(1) | in_window(2);
  // Whether there is a third event is asked first: it is rare, so that
  // branch is predicted, where `hit` is a coin toss.
  for (size_t i = 3; has_events(h, i) && !hit; ++i) hit = in_window(i);
  return hit;
}

uint64_t ceil_div(uint64_t a, uint64_t b) {
  // Strides are mostly a page: a power of two needs no division, which
  // would be most of a sampled page's cost in a sweep. (Tested by hand:
  // std::has_single_bit is a libgcc call on baseline x86-64.)
  if ((b & (b - 1)) == 0) return (a >> std::countr_zero(b)) + ((a & (b - 1)) != 0);
  return a / b + (a % b != 0);
}

}  // namespace

AccessSchedule::AccessSchedule(const std::vector<PhaseSpec>& phases, std::vector<uint64_t> region_pages,
                               bool loop, uint64_t start_us)
    : phases_(phases), pages_(std::move(region_pages)), loop_(loop), start_us_(start_us) {
  endless_ = phases_.back().duration_us == 0;
  const size_t nr = pages_.size();
  std::vector<Cumulative> running(nr);
  sweeps_.assign(nr, false);
  uint64_t start = 0;
  for (const PhaseSpec& ph : phases_) {
    phase_start_.push_back(start);
    at_.insert(at_.end(), running.begin(), running.end());
    for (size_t r = 0; r < nr; ++r) {
      const Access& a = ph.access[r];
      Rates x;
      if (a.pattern == Pattern::random) {
        x.lambda = a.intensity / 1e6;
        top_lambda_ = std::max(top_lambda_, x.lambda);
      } else {
        x.stride = a.stride;
        x.slots = ceil_div(pages_[r] * 4096, a.stride);
        x.touches = a.intensity * static_cast<double>(pages_[r]) / 1e6;
        x.laps = x.touches / static_cast<double>(x.slots);
        sweeps_[r] = sweeps_[r] || x.touches > 0;
      }
      const double d = static_cast<double>(ph.duration_us);
      running[r].lambda += x.lambda * d;
      running[r].touches += x.touches * d;
      running[r].laps += x.laps * d;
      rates_.push_back(x);
    }
    start += ph.duration_us;
  }
  cycle_us_ = start;
  per_cycle_ = running;
}

std::optional<uint64_t> AccessSchedule::end_us() const {
  if (loop_ || endless_) return std::nullopt;
  return start_us_ + cycle_us_;
}

AccessSchedule::Position AccessSchedule::locate(uint64_t t) const {
  const uint64_t tau = t > start_us_ ? t - start_us_ : 0;
  const size_t last = phases_.size() - 1;
  if (endless_ && tau >= phase_start_[last]) return {0, last, tau - phase_start_[last]};
  if (!loop_ && tau >= cycle_us_) return {0, last, phases_[last].duration_us};
  const uint64_t cycles = endless_ ? 0 : tau / cycle_us_;
  const uint64_t w = tau - cycles * cycle_us_;
  const size_t phase = std::upper_bound(phase_start_.begin(), phase_start_.end(), w) - phase_start_.begin() - 1;
  return {cycles, phase, w - phase_start_[phase]};
}

AccessSchedule::Cumulative AccessSchedule::cumulative(size_t r, const Position& p) const {
  const size_t i = p.phase * pages_.size() + r;
  const Rates& x = rates_[i];
  const Cumulative& base = at_[i];
  const double off = static_cast<double>(p.offset);
  if (!p.cycles) return {base.lambda + x.lambda * off, base.touches + x.touches * off, base.laps + x.laps * off};
  const double cyc = static_cast<double>(p.cycles);
  return {base.lambda + x.lambda * off + cyc * per_cycle_[r].lambda,
          base.touches + x.touches * off + cyc * per_cycle_[r].touches,
          base.laps + x.laps * off + cyc * per_cycle_[r].laps};
}

bool AccessSchedule::random_touched(uint64_t key, double a, double b) const {
  // More than 40 expected events: the chance of none is below e^-40.
  if (b - a > 40) return true;
  // The window is touched when any cell it crosses has an event inside it.
  // a >= 0 (intensities are), so truncating is flooring, without libm.
  const auto first = static_cast<int64_t>(a);
  // Most windows lie inside one cell (a page is sampled every few
  // milliseconds, a fraction of its mean time between accesses): that cell
  // is decided straight away, as the loops below would decide it.
  if (const auto c = static_cast<double>(first), next = static_cast<double>(first + 1); next >= b) {
    const uint64_t h = hash2(key, static_cast<uint64_t>(first));
    if (c >= a && next <= b) return has_events(h, 1);
    return event_inside(h, std::max(a, c) - c, b - c);
  }
  const auto whole = [a, b](int64_t c) {
    return static_cast<double>(c) >= a && static_cast<double>(c + 1) <= b;
  };
  // First the cells the window covers whole (long windows of huge folios
  // cross several): any event of theirs is inside, so one hash tells.
  // All of them are hashed: whether a cell has an event is a coin toss,
  // and stopping at the first costs more in mispredictions than hashing
  // the two or three a window mostly covers.
  bool any = false;
  for (int64_t c = first; static_cast<double>(c) < b; ++c)
    any |= whole(c) & has_events(hash2(key, static_cast<uint64_t>(c)), 1);
  if (any) return true;
  // Then the cells it covers in part: their events' positions.
  for (int64_t c = first; static_cast<double>(c) < b; ++c) {
    if (whole(c)) continue;
    const uint64_t h = hash2(key, static_cast<uint64_t>(c));
    const double lo = std::max(a, static_cast<double>(c)) - static_cast<double>(c);
    const double hi = std::min(b, static_cast<double>(c + 1)) - static_cast<double>(c);
    if (event_inside(h, lo, hi)) return true;
  }
  return false;
}

bool AccessSchedule::sweep_touched(const Rates& x, const Window::Sweep& s, uint64_t offset, uint64_t len) const {
  // Slots (touch positions) inside the byte range.
  const uint64_t j0 = ceil_div(offset, x.stride);
  const uint64_t j1 = std::min(x.slots, ceil_div(offset + len, x.stride));
  if (j0 >= j1) return false;
  if (s.count == 0) return false;
  if (s.count >= x.slots) return true;
  const uint64_t end = s.first + s.count;
  if (end <= x.slots) return std::max(s.first, j0) < std::min(end, j1);
  return std::max(s.first, j0) < j1 || j0 < std::min(end - x.slots, j1);
}

AccessSchedule::Progress AccessSchedule::progress(size_t r, uint64_t t) const {
  const Cumulative c = cumulative(r, t);
  return {t, c.lambda, c.touches, c.laps};
}

bool AccessSchedule::touched(size_t r, uint64_t key, uint64_t offset, uint64_t len, uint64_t t0,
                             uint64_t t1) const {
  return t1 > t0 && touched(window(r, progress(r, t0), progress(r, t1)), key, offset, len);
}

AccessSchedule::Window AccessSchedule::window(size_t r, const Progress& c0, const Progress& c1) const {
  Window w;
  w.t0 = c0.t;
  w.t1 = c1.t;
  w.lambda0 = c0.lambda;
  w.lambda1 = c1.lambda;
  if (c1.t <= c0.t || !sweeps_[r] || c1.touches <= c0.touches) return w;
  // The sweep's stride may change between phases: look at each phase the
  // window crosses in which the region is swept. A window crossing very many
  // of those (many cycles) has certainly passed over the page in practice.
  // Phases without sweeping only get stepped over: a masim phase of bursts
  // (scenario_masim.cpp) sweeps a region in a few of its many phases.
  const Position first = locate(c0.t);
  size_t phase = first.phase;
  uint64_t t = c0.t, offset = first.offset;
  for (int segments = 0; t < c1.t;) {
    if (segments == 64) {
      w.swept = true;
      break;
    }
    const PhaseSpec& ph = phases_[phase];
    const bool last_forever = phase + 1 == phases_.size() && (endless_ || !loop_);
    const uint64_t end = last_forever ? c1.t : std::min(c1.t, t + (ph.duration_us - offset));
    const size_t i = phase * pages_.size() + r;
    if (rates_[i].touches > 0) {
      // Touch number m (1, 2, ...) happens when the cumulative count
      // reaches m and lands on slot m mod slots. Counts are never
      // negative: truncating is flooring, without libm.
      const auto m0 = static_cast<uint64_t>(cumulative(r, t).touches);
      const auto m1 = static_cast<uint64_t>(cumulative(r, end).touches);
      const uint64_t count = m1 - m0;
      const uint64_t slots = rates_[i].slots;
      w.sweeps.push_back({i, count, count && count < slots ? (m0 + 1) % slots : 0});
      ++segments;
    }
    if (last_forever) break;
    t = end;
    offset = 0;
    phase = phase + 1 == phases_.size() ? 0 : phase + 1;
  }
  return w;
}

bool AccessSchedule::together_touched(const Window& w, uint64_t key) const {
  if (w.t1 <= w.t0 || w.lambda1 <= w.lambda0 || top_lambda_ <= 0) return false;
  const double accept = (w.lambda1 - w.lambda0) / static_cast<double>(w.t1 - w.t0) / top_lambda_;
  // The shared events in unit cells of the top rate's time.
  const double a = static_cast<double>(w.t0) * top_lambda_, b = static_cast<double>(w.t1) * top_lambda_;
  // More than 40 accepted events expected: the chance of none is below e^-40.
  if ((b - a) * accept > 40) return true;
  for (auto c = static_cast<uint64_t>(a); static_cast<double>(c) < b; ++c) {
    const uint64_t h = hash2(key, c);
    for (size_t i = 1; has_events(h, i); ++i) {
      const double at = static_cast<double>(c) + unit_interval(hash2(h, i));
      if (at >= a && at < b && unit_interval(hash3(h, i, 0x6d61726b)) < accept) return true;
    }
  }
  return false;
}

double AccessSchedule::touch_probability(const Progress& from, const Progress& to) {
  if (to.t <= from.t) return 0;
  const double untouched = std::exp(-(to.lambda - from.lambda)) * std::max(0.0, 1.0 - (to.laps - from.laps));
  return 1.0 - untouched;
}

double AccessSchedule::accesses(size_t r, uint64_t t) const {
  const Cumulative c = cumulative(r, t);
  return c.lambda * static_cast<double>(pages_[r]) + c.touches;
}

size_t AccessSchedule::phase_at(uint64_t t) const { return locate(t).phase; }

}  // namespace damon::sim
