#!/usr/bin/env python3
"""Unit tests of the fidelity comparison (metrics.py, damo_records.py):
no damo, no guest, no mount. ctest fidelity.metrics."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import damo_records  # noqa: E402
import metrics  # noqa: E402

MiB = 1 << 20


class MetricsTest(unittest.TestCase):
    def test_layout_maps_addresses_to_workload_offsets(self):
        # Two regions, the second one mapped below the first.
        layout = metrics.Layout([(100 * MiB, 110 * MiB), (50 * MiB, 70 * MiB)])
        self.assertEqual(layout.total, 30 * MiB)
        self.assertEqual(layout.to_workload(105 * MiB, 120 * MiB), [(5 * MiB, 10 * MiB)])
        self.assertEqual(layout.to_workload(60 * MiB, 101 * MiB), [(20 * MiB, 30 * MiB), (0, 1 * MiB)])
        self.assertEqual(layout.to_workload(80 * MiB, 90 * MiB), [])

    def test_hot_set_is_at_least_half_the_maximum_inside_the_workload(self):
        layout = metrics.Layout([(0, 40 * MiB)])
        regions = [(0, 10 * MiB, 20), (10 * MiB, 20 * MiB, 10), (20 * MiB, 40 * MiB, 9),
                   (40 * MiB, 50 * MiB, 40)]  # outside the workload: not the maximum
        self.assertEqual(metrics.hot_set(regions, layout), [(0, 20 * MiB)])
        self.assertEqual(metrics.hot_set([(0, 40 * MiB, 0)], layout), [])

    def test_jaccard(self):
        self.assertEqual(metrics.jaccard([(0, 10)], [(5, 15)]), 5 / 15)
        self.assertEqual(metrics.jaccard([(0, 10)], [(0, 10)]), 1.0)
        self.assertEqual(metrics.jaccard([(0, 10)], []), 0.0)
        self.assertIsNone(metrics.jaccard([], []))

    def test_wss_counts_regions_with_an_access_after_the_first_two_seconds(self):
        snaps = [(t * 100_000_000, (t + 1) * 100_000_000, [(0, MiB, t % 3), (MiB, 3 * MiB, 1)])
                 for t in range(40)]
        # From 2 s on: 20 snapshots, a third of them at 2 MiB, the others 3 MiB.
        wss = metrics.wss_percentiles(snaps)
        self.assertEqual(wss, {25: 2 * MiB, 50: 3 * MiB, 75: 3 * MiB})

    def test_windows_pair_by_time_from_each_start(self):
        a = [(1000 + k * 100, 1000 + (k + 1) * 100, 'a%d' % k) for k in range(5)]
        b = [(k * 250 + 10, k * 250 + 110, 'b%d' % k) for k in range(2)]
        self.assertEqual(metrics.window_pairs(a, b, 1000, 0), [('a0', 'b0'), ('a1', 'b0'), ('a2', 'b1'), ('a3', 'b1')])


class RecordsTest(unittest.TestCase):
    TRACE = '''# tracer: nop
 runner-7 [000] ..... 10.000000: tracing_mark_write: region s0 0x1000 0x3000
 kdamond.0-1 [000] ..... 10.100000: damon_aggregated: target_id=0 nr_regions=2 4096-8192: 20 1
 kdamond.0-1 [000] ..... 10.100001: damon_aggregated: target_id=0 nr_regions=2 8192-12288: 0 3
 kdamond.0-1 [001] ..... 10.250000: damon_aggregated: target_id=0 nr_regions=1 4096-12288: 5 0
'''

    def test_trace_becomes_a_record_and_round_trips(self):
        records = damo_records.from_trace(self.TRACE, 5000, 100000, 1000000)
        snaps = damo_records.snapshots(records)
        self.assertEqual(snaps, [(10_000_000_000, 10_100_000_000, [(4096, 8192, 20), (8192, 12288, 0)]),
                                 (10_100_000_000, 10_250_000_000, [(4096, 12288, 5)])])
        self.assertEqual(damo_records.markers(self.TRACE), [(10_000_000_000, 'region s0 0x1000 0x3000')])
        with tempfile.NamedTemporaryFile() as f:
            damo_records.write(records, f.name)
            self.assertEqual(damo_records.snapshots(damo_records.read(f.name)), snaps)

    def test_snapshot_records_of_damo_merge(self):
        # damo record --snapshot: one record per snapshot, no target id,
        # numbers with thousands separators.
        records = [{'target_id': None, 'snapshots': [{
            'start_time': '%d' % (k * 100), 'end_time': '%d' % (k * 100 + 100),
            'regions': [{'start': '4,096', 'end': '8,192', 'nr_accesses': {'samples': k}}]}]}
            for k in (2, 0, 1)]
        snaps = damo_records.snapshots(records)
        self.assertEqual([s[0] for s in snaps], [0, 100, 200])
        self.assertEqual(snaps[1][2], [(4096, 8192, 1)])


if __name__ == '__main__':
    unittest.main()
