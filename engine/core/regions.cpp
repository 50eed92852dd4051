#include "engine/core/regions.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "engine/core/arith.h"

namespace damon {

namespace {

constexpr uint32_t kBp = 10000;

Region fresh_region(uint64_t start, uint64_t end) {
  Region r;
  r.ar = {start, end};
  return r;
}

bool intersects(const Region& r, const AddrRange& range) {
  return !(r.ar.end <= range.start || range.end <= r.ar.start);
}

// Size-weighted average of two per-region values. 128-bit so that large
// regions (TiB of physical memory in small core units) cannot wrap.
uint32_t weighted(uint64_t a, uint64_t size_a, uint64_t b, uint64_t size_b) {
  const unsigned __int128 sum = static_cast<unsigned __int128>(a) * size_a +
                                static_cast<unsigned __int128>(b) * size_b;
  return static_cast<uint32_t>(sum / (size_a + size_b));
}

// Merges `r` into `l` (adjacent, l before r).
void merge_two(Region& l, const Region& r) {
  const uint64_t sz_l = l.size(), sz_r = r.size();
  // Two empty regions have no size to weight by; keep l's values.
  if (sz_l + sz_r != 0) {
    l.nr_accesses = weighted(l.nr_accesses, sz_l, r.nr_accesses, sz_r);
    l.age = weighted(l.age, sz_l, r.age, sz_r);
    for (size_t p = 0; p < kMaxProbes; ++p) {
      l.probe_hits[p] = static_cast<uint8_t>(weighted(l.probe_hits[p], sz_l, r.probe_hits[p], sz_r));
      l.last_probe_hits[p] =
          static_cast<uint8_t>(weighted(l.last_probe_hits[p], sz_l, r.last_probe_hits[p], sz_r));
    }
  }
  l.nr_accesses_bp = l.nr_accesses * kBp;
  l.ar.end = r.ar.end;
}

}  // namespace

void split_region_at(std::vector<Region>& regions, size_t i, uint64_t first_size) {
  assert(i < regions.size() && first_size > 0 && first_size < regions[i].size());
  Region right = regions[i];
  right.ar.start = regions[i].ar.start + first_size;
  regions[i].ar.end = right.ar.start;
  regions.insert(regions.begin() + static_cast<std::ptrdiff_t>(i) + 1, right);
}

uint32_t merge_score(const Region& r, bool last, std::span<const uint32_t> probe_weights) {
  uint32_t wsum = 0;
  bool weighted_probes = false;
  for (size_t p = 0; p < probe_weights.size() && p < kMaxProbes; ++p) {
    weighted_probes |= probe_weights[p] != 0;
    wsum += (last ? r.last_probe_hits[p] : r.probe_hits[p]) * probe_weights[p];
  }
  if (weighted_probes) return wsum;
  return last ? r.last_nr_accesses : r.nr_accesses;
}

uint32_t moving_sum(uint32_t current, uint32_t last, uint64_t left_samples, uint64_t window) {
  const uint64_t w = window ? window : 1;
  const uint64_t left_bp = arith::mult_frac(std::min(left_samples, w), kBp, w);
  if (left_bp == kBp) return last;
  return current + static_cast<uint32_t>(arith::mult_frac(last, left_bp, kBp));
}

void merge_regions_of(std::vector<Region>& regions, uint32_t threshold, uint64_t size_limit,
                      std::span<const uint32_t> probe_weights) {
  // Regions are aged in place and moved down only once one has been
  // merged away (the merge passes run every aggregation, often several
  // times, over regions that mostly stay).
  size_t kept = 0;
  for (size_t i = 0; i < regions.size(); ++i) {
    Region& r = regions[i];
    const uint32_t score = merge_score(r, false, probe_weights);
    const uint32_t last_score = merge_score(r, true, probe_weights);
    if (arith::abs_diff(score, last_score) > threshold || (score == 0) != (last_score == 0)) {
      r.age = 0;
    } else {
      ++r.age;
    }
    if (kept > 0) {
      Region& prev = regions[kept - 1];  // before r: kept <= i
      if (prev.ar.end == r.ar.start &&
          arith::abs_diff(merge_score(prev, false, probe_weights), score) <= threshold &&
          prev.size() + r.size() <= size_limit) {
        merge_two(prev, r);
        continue;
      }
    }
    if (kept != i) regions[kept] = r;
    ++kept;
  }
  regions.resize(kept);
}

void split_regions_of(std::vector<Region>& regions, int nr_pieces, uint64_t min_region_size, Rng& rng) {
  std::vector<Region> out;
  out.reserve(regions.size() * static_cast<size_t>(nr_pieces));
  // Right-hand pieces cut off the current region, in cut order. Each cut
  // applies to the remaining left part, so they end up in reverse order.
  std::vector<Region> rights;
  for (Region left : regions) {
    rights.clear();
    uint64_t size = left.size();
    for (int i = 0; i < nr_pieces - 1 && size > 2 * min_region_size; ++i) {
      const uint64_t tenths = rand_range(rng, 1, 10);
      const auto scaled = static_cast<uint64_t>(static_cast<unsigned __int128>(size) * tenths / 10);
      const uint64_t first = arith::align_down(scaled, min_region_size);
      if (first == 0 || first >= size) continue;
      Region right = left;
      right.ar.start = left.ar.start + first;
      left.ar.end = right.ar.start;
      rights.push_back(right);
      size = first;
    }
    out.push_back(left);
    out.insert(out.end(), rights.rbegin(), rights.rend());
  }
  regions = std::move(out);
}

void cut_regions_to(std::vector<Region>& regions, uint64_t max_size) {
  assert(max_size > 0);
  size_t extra = 0;
  for (const Region& r : regions)
    if (r.size() > max_size) extra += (r.size() - 1) / max_size;
  if (extra == 0) return;
  std::vector<Region> out;
  out.reserve(regions.size() + extra);
  for (const Region& r : regions) {
    Region piece = r;
    while (piece.size() > max_size) {
      Region head = piece;
      head.ar.end = piece.ar.start + max_size;
      out.push_back(head);
      piece.ar.start = head.ar.end;
    }
    out.push_back(piece);
  }
  regions = std::move(out);
}

void set_regions(std::vector<Region>& regions, std::span<const AddrRange> ranges,
                 uint64_t min_region_size) {
  std::erase_if(regions, [&](const Region& r) {
    for (const AddrRange& range : ranges)
      if (intersects(r, range)) return false;
    return true;
  });
  // Walk the ranges and the (sorted) regions together: each range's search
  // continues where the previous one stopped, as the kernel's does.
  size_t pos = 0;
  for (const AddrRange& range : ranges) {
    size_t first = SIZE_MAX, last = SIZE_MAX;
    for (; pos < regions.size(); ++pos) {
      if (intersects(regions[pos], range)) {
        if (first == SIZE_MAX) first = pos;
        last = pos;
      }
      if (regions[pos].ar.start >= range.end) break;
    }
    const uint64_t start = arith::align_down(range.start, min_region_size);
    const uint64_t end = arith::align_up(range.end, min_region_size);
    if (first == SIZE_MAX) {
      regions.insert(regions.begin() + static_cast<std::ptrdiff_t>(pos), fresh_region(start, end));
      ++pos;
      continue;
    }
    regions[first].ar.start = start;
    regions[last].ar.end = end;
    std::vector<Region> filled;
    for (size_t i = first; i <= last; ++i) {
      filled.push_back(regions[i]);
      if (i < last && regions[i].ar.end != regions[i + 1].ar.start)
        filled.push_back(fresh_region(regions[i].ar.end, regions[i + 1].ar.start));
    }
    const size_t nr_holes = filled.size() - (last - first + 1);
    if (nr_holes == 0) continue;
    regions.erase(regions.begin() + static_cast<std::ptrdiff_t>(first),
                  regions.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    regions.insert(regions.begin() + static_cast<std::ptrdiff_t>(first), filled.begin(), filled.end());
    pos += nr_holes;
  }
}

uint64_t total_region_bytes(const std::vector<Target>& targets) {
  uint64_t sum = 0;
  for (const Target& t : targets)
    for (const Region& r : t.regions) sum += r.size();
  return sum;
}

uint64_t total_nr_regions(const std::vector<Target>& targets) {
  uint64_t n = 0;
  for (const Target& t : targets) n += t.regions.size();
  return n;
}

}  // namespace damon
