"""What tests/fidelity compares between two damo records of one workload:
working-set size percentiles (damo `report wss`'s definition), the hot set
per aggregation window (Jaccard index of the bytes in regions with
nr_accesses >= half the window's maximum), and the number of regions.

Records made in different address spaces (a real masim and the simulated
one) are compared in workload coordinates: each side gives the address
ranges of the workload's regions, in the workload's order, and an address
becomes (region index, offset in the region)."""
import bisect
import statistics


def wss_percentiles(snaps, exclude_ns=2_000_000_000, percentiles=(25, 50, 75)):
    """damo report wss: per snapshot, bytes of regions with nr_accesses >= 1;
    percentiles of the sorted list (damo's rule: the value at index
    len * p / 100). damo leaves out the first 20 snapshots (2 s of 100 ms
    aggregations, DAMON's settling); snapshots of the damonfs side are
    further apart, so the first `exclude_ns` are left out instead."""
    sizes = sorted(sum(e - s for s, e, n in regions if n >= 1) for t, _, regions in snaps
                   if t >= snaps[0][0] + exclude_ns)
    if not sizes:
        return {p: 0 for p in percentiles}
    return {p: sizes[min(len(sizes) - 1, len(sizes) * p // 100)] for p in percentiles}


class Layout:
    """The workload's regions in one address space: [(start, end)] in the
    workload's order (masim's first region first)."""

    def __init__(self, ranges):
        self.ranges = list(ranges)
        self.base = []
        total = 0
        for s, e in self.ranges:
            self.base.append(total)
            total += e - s
        self.total = total
        self.sorted = sorted((s, e, b) for (s, e), b in zip(self.ranges, self.base))
        self.starts = [s for s, _, _ in self.sorted]

    def to_workload(self, start, end):
        """[start, end) as workload-offset intervals."""
        out = []
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        for s, e, b in self.sorted[i:]:
            if s >= end:
                break
            lo, hi = max(s, start), min(e, end)
            if lo < hi:
                out.append((b + lo - s, b + hi - s))
        return out

    def covers(self, start, end):
        return bool(self.to_workload(start, end))


def merged(intervals):
    out = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def measure(intervals):
    return sum(e - s for s, e in intervals)


def intersection(a, b):
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def hot_set(regions, layout):
    """Workload intervals of the regions with nr_accesses >= half the
    maximum among the regions over the workload; empty when that maximum
    is 0."""
    inside = [(s, e, n) for s, e, n in regions if layout.covers(s, e)]
    top = max((n for _, _, n in inside), default=0)
    if top == 0:
        return []
    hot = []
    for s, e, n in inside:
        if 2 * n >= top:
            hot += layout.to_workload(s, e)
    return merged(hot)


def jaccard(a, b):
    union = measure(merged(a + b))
    return measure(intersection(a, b)) / union if union else None


def window_pairs(snaps_a, snaps_b, start_a, start_b):
    """For each window of A (times relative to start_a), the window of B
    (relative to start_b) that overlaps it most; pairs in A's order."""
    rel_b = [(s - start_b, e - start_b, r) for s, e, r in snaps_b]
    ends = [e for _, e, _ in rel_b]
    pairs = []
    for s, e, regions in snaps_a:
        s, e = s - start_a, e - start_a
        best, best_overlap = None, 0
        i = bisect.bisect_right(ends, s)
        while i < len(rel_b) and rel_b[i][0] < e:
            overlap = min(e, rel_b[i][1]) - max(s, rel_b[i][0])
            if overlap > best_overlap:
                best, best_overlap = rel_b[i][2], overlap
            i += 1
        if best is not None:
            pairs.append((regions, best))
    return pairs


def compare(snaps_a, layout_a, start_a, snaps_b, layout_b, start_b):
    """The figures of one comparison (B measured against A), over the time
    both cover (from the workload's start)."""
    first = max(snaps_a[0][0] - start_a, snaps_b[0][0] - start_b)
    last = min(snaps_a[-1][1] - start_a, snaps_b[-1][1] - start_b)
    snaps_a = [s for s in snaps_a if s[0] - start_a >= first and s[1] - start_a <= last]
    snaps_b = [s for s in snaps_b if s[0] - start_b >= first and s[1] - start_b <= last]
    scores = []
    for ra, rb in window_pairs(snaps_a, snaps_b, start_a, start_b):
        j = jaccard(hot_set(ra, layout_a), hot_set(rb, layout_b))
        if j is not None:
            scores.append(j)
    wa, wb = wss_percentiles(snaps_a), wss_percentiles(snaps_b)
    return {
        'windows': len(scores),
        'jaccard_median': statistics.median(scores) if scores else 0.0,
        'wss_a': wa,
        'wss_b': wb,
        'wss_error': {p: (wb[p] - wa[p]) / wa[p] if wa[p] else float('inf') for p in wa},
        'regions_a': statistics.median(len(r) for _, _, r in snaps_a),
        'regions_b': statistics.median(len(r) for _, _, r in snaps_b),
    }
