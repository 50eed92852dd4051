// The access model of one simulated process.
//
// Each region is accessed per its phase's Access (scenario.h). Everything
// is expressed through cumulative functions of time (per-page Poisson mean
// of random access, touches of the sequential cursor, laps of that cursor),
// piecewise linear over the phases, so the question "was this page touched
// in [t0, t1)?" costs O(1) hash evaluations whatever the window, the region
// size or the time since start:
//
// * random: the page's accesses are a Poisson process; mapped through the
//   cumulative mean it becomes a unit-rate process, cut into unit cells whose
//   event counts and positions come from hashing (page key, cell). Queries
//   stop at the first event found, so a long window costs about as much as
//   a short one.
// * sequential: a cursor touches offsets 0, stride, 2*stride, ... and wraps;
//   the touches made during the window form one cyclic interval of slots.
//
// Both are deterministic functions of (key, t0, t1), so overlapping windows
// agree with one another and any thread may ask in any order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/machine/machine.h"
#include "engine/machine/sim/scenario.h"

namespace damon::sim {

class AccessSchedule {
 public:
  // `region_pages[i]` is the size of region i in pages; every phase lists
  // one Access per region. `start_us` is when the first phase begins.
  AccessSchedule(const std::vector<PhaseSpec>& phases, std::vector<uint64_t> region_pages, bool loop,
                 uint64_t start_us);

  // When the process runs out of phases (loop off, no endless phase).
  std::optional<uint64_t> end_us() const;

  // Was any byte of [offset, offset + len) of region r touched in [t0, t1)?
  // `key` identifies the page or folio (its random accesses are drawn from
  // it); len is a multiple of the page size.
  bool touched(size_t r, uint64_t key, uint64_t offset, uint64_t len, uint64_t t0, uint64_t t1) const;

  // How far region r's accesses had got at time t. Sampling asks about
  // many pages over the same window: computing the window's two ends once
  // (window() below) saves most of the work.
  struct Progress {
    uint64_t t = 0;
    double lambda = 0, touches = 0, laps = 0;
  };
  Progress progress(size_t r, uint64_t t) const;

  // A window between two progress marks of one region, prepared once for
  // the many pages sampling asks about over it: touched(window, ...) gives
  // touched(r, ..., from.t, to.t) without looking up the phases again.
  class Window {
   public:
    // Its ends in time (clock microseconds); an empty window never touches.
    uint64_t from() const { return t0; }
    uint64_t to() const { return t1; }

   private:
    friend class AccessSchedule;
    // A stretch of one phase during which the region is swept.
    // Worked out once per window (see sweep_touched()): the same for every
    // page sampling checks over it.
    struct Sweep {
      size_t rates;    // index in rates_ (phase and region)
      uint64_t count;  // touches made during it
      uint64_t first;  // the slot of the first of them (when 0 < count < slots)
    };
    uint64_t t0 = 0, t1 = 0;
    double lambda0 = 0, lambda1 = 0;
    std::vector<Sweep> sweeps;
    bool swept = false;  // crosses so many phases that the sweep passed everything
  };
  Window window(size_t r, const Progress& from, const Progress& to) const;
  bool touched(const Window& w, uint64_t key, uint64_t offset, uint64_t len) const {
    return touched(draws(w, len), key, offset);
  }

  // A window's draws for folios of `len` bytes: the window's Poisson means
  // scaled to the folio once, for the many folios of one size sampling
  // asks about over it. touched(draws(w, len), key, offset) is
  // touched(w, key, offset, len).
  struct Draws {
    const Window* w = nullptr;
    uint64_t len = 0;
    double a = 0, b = 0;  // the Poisson means at the window's ends
    bool empty = true;    // the window has no time: nothing is touched
    bool random = false;  // some random access in the window
  };
  static Draws draws(const Window& w, uint64_t len) {
    const double scale = static_cast<double>(len) / static_cast<double>(kPageSize);
    return {&w, len, w.lambda0 * scale, w.lambda1 * scale, w.t1 <= w.t0, w.lambda1 > w.lambda0};
  }
  bool touched(const Draws& d, uint64_t key, uint64_t offset) const {
    if (d.empty) return false;
    if (d.random && random_touched(key, d.a, d.b)) return true;
    for (const Window::Sweep& s : d.w->sweeps) {
      if (sweep_touched(rates_[s.rates], s, offset, d.len)) return true;
    }
    return d.w->swept;
  }

  // Regions accessed together (RegionSpec::together): was the region
  // touched in window w? All such regions of the process share one Poisson
  // process of events at the highest random rate of the schedule, and a
  // region takes an event when the event's mark is below its own rate (over
  // the window) over that highest rate. Each region is touched as often as
  // its rate says, and regions checked over the same window are touched in
  // nested sets: the rarely accessed ones only when the busier ones are,
  // and ones of equal rates at once. `key` is the process's.
  bool together_touched(const Window& w, uint64_t key) const;

  // Probability that a given page of a region was touched at least once
  // between two of its progress marks: what fraction of its paged-out
  // pages have faulted back in.
  static double touch_probability(const Progress& from, const Progress& to);

  // Accesses made to region r since the start (every touch counts).
  double accesses(size_t r, uint64_t t) const;

  // The phase running at t (the last one once the process has ended).
  size_t phase_at(uint64_t t) const;
  const PhaseSpec& phase(size_t i) const { return phases_[i]; }

 private:
  // Per phase and region, rates per microsecond.
  struct Rates {
    double lambda = 0;   // random: Poisson mean per page
    double touches = 0;  // sequential: cursor touches on the region
    double laps = 0;     // sequential: full sweeps of the region
    uint64_t stride = 4096;
    uint64_t slots = 1;  // touch positions per sweep: ceil(region bytes / stride)
  };
  struct Cumulative {
    double lambda = 0, touches = 0, laps = 0;
  };
  struct Position {
    uint64_t cycles;  // complete loops over all phases
    size_t phase;
    uint64_t offset;  // microseconds into the phase
  };

  Position locate(uint64_t t) const;
  Cumulative cumulative(size_t r, const Position& p) const;
  Cumulative cumulative(size_t r, uint64_t t) const { return cumulative(r, locate(t)); }
  bool random_touched(uint64_t key, double a, double b) const;
  bool sweep_touched(const Rates& rates, const Window::Sweep& sweep, uint64_t offset, uint64_t len) const;

  std::vector<PhaseSpec> phases_;
  std::vector<uint64_t> pages_;
  std::vector<uint64_t> phase_start_;           // offset of each phase in the cycle
  std::vector<Rates> rates_;                    // [phase * regions + region]
  std::vector<Cumulative> at_;                  // same, at the phase start
  std::vector<Cumulative> per_cycle_;           // [region], one full cycle
  std::vector<bool> sweeps_;                    // [region]: some phase sweeps it
  uint64_t cycle_us_ = 0;                        // sum of durations (finite phases)
  double top_lambda_ = 0;                        // highest random rate per page per microsecond
  bool endless_ = false;                         // the last phase never ends
  bool loop_ = true;
  uint64_t start_us_ = 0;
};

}  // namespace damon::sim
