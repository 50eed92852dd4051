#!/usr/bin/env python3
"""Unmodified damo against a damonfs mount: the checks that run inside the
namespace scripts/damonfs-run sets up (damo_suite.py starts them there).

Environment: DAMO (the damo executable), DAMONFS_MOUNT and DAMONFS_PID (set
by damonfs-run), DAMONFS_SUITE_ABI (the --abi the mount was made with).

Every damo command's exit status and output are checked, and outcomes are
compared with files under /sys/kernel/mm/damon/admin and with the simulated
machine's ground truth: damonfs/truth/PID of the mount when it has one, else
the stub process's /proc/PID/maps (the stub reserves the simulated
mappings at their simulated addresses).
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

DAMO = os.environ.get('DAMO', '')
ABI = os.environ.get('DAMONFS_SUITE_ABI', 'latest')
KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds'
MiB = 1 << 20

# What damo 3.3.0 detects on Linux 6.18: recorded by running `damo report
# sysinfo` on a replica of the real 6.18 tree (the tree_full/defaults_full
# cases of the conformance recording expected-linux-6.18.json), plus
# vaddr and fvaddr, which damonfs serves and that kernel was built without
# (damo reads them from avail_operations). damo_suite.py re-derives the
# kernel part live when given the recording (--kernel-recording).
FEATURES_6_18 = frozenset('''
    interface/damon_sysfs
    sysfs/schemes sysfs/init_regions sysfs/vaddr sysfs/paddr sysfs/fvaddr
    sysfs/schemes_size_quota sysfs/schemes_time_quota
    sysfs/schemes_prioritization sysfs/schemes_wmarks
    sysfs/schemes_stat_succ sysfs/schemes_stat_qt_exceed
    sysfs/avail_ops sysfs/online_params_commit
    sysfs/schemes_tried_regions sysfs/schemes_tried_regions_sz
    sysfs/schemes_filters sysfs/schemes_filters_anon sysfs/schemes_filters_memcg
    sysfs/schemes_filters_addr sysfs/schemes_filters_target
    sysfs/schemes_filters_young sysfs/schemes_filters_hugepage_size
    sysfs/schemes_filters_unmapped sysfs/schemes_filters_active
    sysfs/schemes_filters_core_ops_dirs sysfs/allow_filter
    sysfs/sz_ops_filter_passed sysfs/schemes_apply_interval
    sysfs/schemes_quota_goals sysfs/schemes_quota_effective_bytes
    sysfs/schemes_quota_goal_metric sysfs/schemes_quota_goal_some_psi
    sysfs/schemes_quota_goal_node_mem_used_free
    sysfs/schemes_migrate sysfs/schemes_dests sysfs/intervals_goal
    sysfs/refresh_ms sysfs/addr_unit
'''.split())

# The newer interface items damonfs' `latest` profile adds
# (docs/abi-profiles.md), as the damo features they make damo detect.
FEATURES_LATEST = FEATURES_6_18 | frozenset('''
    sysfs/obsolete_target
    sysfs/schemes_quota_goal_node_memcg_used_free
    sysfs/damos_stat_nr_snapshots sysfs/damos_max_nr_snapshots
    sysfs/damos_quota_goal_in_active_mem_bp
    sysfs/damos_quota_goal_tuner
    sysfs/damos_quota_fail_charge_ratio sysfs/damos_action_collapse
    sysfs/damos_quota_goal_node_eligible_mem_bp
    sysfs/ctx_pause sysfs/attrs_monitoring
'''.split())

EXPECTED_FEATURES = {'6.18': FEATURES_6_18, 'latest': FEATURES_LATEST}

# The tracepoints each profile's kernel has, as damo's trace/ features
# (damonfs serves them through damonfs-run's tracefs view and perf).
TRACE_6_18 = frozenset('''
    trace/damon_aggregated trace/damos_before_apply
    trace/damon_monitor_intervals_tune trace/damos_esz
'''.split())
TRACE_FEATURES = {'6.18': TRACE_6_18,
                  'latest': TRACE_6_18 | {'trace/damos_stat_after_apply_interval',
                                          'trace/damon_region_aggregated'}}


def read(path):
    with open(path) as f:
        return f.read().strip()


def number(text):
    """A number as damo prints it ("4,194,304")."""
    return int(str(text).replace(',', ''))


def kd(path):
    """Content of a file under kdamonds/."""
    return read(os.path.join(KDAMONDS, path))


class Region:
    def __init__(self, start, end):
        self.start, self.end = start, end

    def overlap(self, start, end):
        return max(0, min(end, self.end) - max(start, self.start))

    def __repr__(self):
        return '[%#x, %#x)' % (self.start, self.end)


def simulated_pid(name):
    out = subprocess.run(['pgrep', '-P', os.environ['DAMONFS_PID'], '-x', name],
                         capture_output=True, text=True).stdout.split()
    if len(out) != 1:
        raise AssertionError('expected one simulated process %s, pgrep says %s' % (name, out))
    return int(out[0])


def truth_regions(pid):
    """The mount's ground truth for a simulated process, {name: Region} with
    each region's `resident` {node: bytes}; None when the mount has none."""
    truth = os.path.join(os.environ['DAMONFS_MOUNT'], 'damonfs', 'truth', str(pid))
    if not os.path.exists(truth):
        return None
    regions = {}
    for line in read(truth).splitlines():
        f = line.split()
        kv = dict(zip(f[0::2], f[1::2]))
        region = Region(int(kv['start']), int(kv['end']))
        region.resident = {int(n): int(b) for n, b in (x.split(':') for x in kv['resident'].split(','))}
        regions[kv['region']] = region
    return regions


def hotcold_truth(pid):
    """(hot, cold) address ranges of the default scenario's hotcold process."""
    regions = truth_regions(pid)
    if regions is not None:
        return regions['hot'], regions['cold']
    # damonfs-scenario(5): regions are laid out top-down below
    # 0x7ef000000000 in scenario order, so hot (listed first) is the top one.
    anon = []
    with open('/proc/%d/maps' % pid) as f:
        for line in f:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split('-'))
            if len(fields) == 5 and fields[1] == '---p' and end <= 0x7ef000000000 and start >= 1 << 40:
                anon.append(Region(start, end))
    anon.sort(key=lambda r: r.start, reverse=True)
    hot, cold = anon[0], anon[1]
    if hot.end - hot.start != 64 * MiB or cold.end - cold.start != 448 * MiB:
        raise AssertionError('not the default scenario layout: %s' % anon)
    return hot, cold


class DamoTestCase(unittest.TestCase):
    maxDiff = None

    def damo(self, *args, timeout=120):
        """Runs damo, asserts it succeeded, returns its stdout."""
        cmd = [DAMO] + [str(a) for a in args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL, cwd=self.tmp)
        self.assertEqual(p.returncode, 0, 'damo %s: exit %d\nstdout:\n%s\nstderr:\n%s' % (
            ' '.join(cmd[1:]), p.returncode, p.stdout[-4000:], p.stderr[-4000:]))
        return p.stdout

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='damo-suite.')

    def tearDown(self):
        # Whatever a failed test left running must not disturb the next one.
        if os.path.exists(os.path.join(KDAMONDS, '0', 'state')) and kd('0/state') == 'on':
            subprocess.run([DAMO, 'stop'], capture_output=True, timeout=60)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assertStopped(self):
        out = self.damo('stop')
        self.assertEqual(out.strip(), '', out)
        self.assertEqual(kd('0/state'), 'off')
        self.assertEqual(kd('0/pid'), '-1')


class SysinfoTest(DamoTestCase):
    def test_sysinfo_lists_the_profiles_features(self):
        out = self.damo('report', 'sysinfo', '--print', 'all')
        avail, unavail, section = set(), set(), None
        for line in out.splitlines():
            if line == 'available DAMON features:':
                section = avail
            elif line == 'unavailable DAMON features:':
                section = unavail
            elif section is not None and line.startswith('- '):
                section.add(line.split()[1])
        self.assertIn('interface/damon_sysfs', avail, out)
        # damonfs-run's tracefs view shows damonfs's DAMON tracepoints, those
        # of the profile, never the host kernel's; debugfs DAMON is gone
        # from kernels with the sysfs interface.
        self.assertEqual({f for f in avail if f.startswith('debugfs/')}, set(), out)
        self.assertEqual({f for f in avail if f.startswith('trace/')},
                         TRACE_FEATURES[ABI] & (avail | unavail), out)
        # (interface/damon_{reclaim,lru_sort,stat} follow the host's /sys/module.)
        shown = {f for f in avail if f.startswith('sysfs/') or f == 'interface/damon_sysfs'}
        # Only features this damo knows can be detected.
        expected = EXPECTED_FEATURES[ABI] & (avail | unavail)
        self.assertEqual(shown, expected,
                         'missing: %s, unexpected: %s' % (sorted(expected - shown), sorted(shown - expected)))
        if ABI == '6.18':
            self.assertIn('DAMON version: 6.18\n', out)


class VaddrMonitoringTest(DamoTestCase):
    def report_access(self, *args):
        """Snapshots of `damo report access` as [(start, end, nr_accesses)]."""
        out = self.damo('report', 'access', '--json', *args)
        snapshots = []
        for record in json.loads(out):
            for snapshot in record['snapshots']:
                snapshots.append([(number(r['start']), number(r['end']), number(r['nr_accesses']['samples']))
                                  for r in snapshot['regions']])
        self.assertTrue(snapshots, out[-2000:])
        return snapshots

    # nr_accesses (of the 20 samples per aggregation) that make a region
    # warm. A hot page (200 accesses/s) is seen accessed in 12 to 17 of 20
    # samples on average; a cold one (0.05/s) almost never, but DAMON
    # checks one page per region and sample, so a large cold region now and
    # then counts 1 or 2.
    WARM = 5

    def assertHotAreaIsHottest(self, regions, hot, cold):
        """The hottest region lies in the hot area (mostly: a region may span
        the small unmapped gap next to it, as in the kernel), warm regions
        cover the hot area and (nearly) nothing else of the process's data."""
        hottest = max(regions, key=lambda r: r[2])
        self.assertGreater(hot.overlap(hottest[0], hottest[1]), (hottest[1] - hottest[0]) / 2,
                           'hottest region %#x-%#x (nr_accesses %d) is not in the hot area %s' % (
                               hottest[0], hottest[1], hottest[2], hot))
        warm = [r for r in regions if r[2] >= self.WARM]
        hot_seen = sum(hot.overlap(s, e) for s, e, _ in warm)
        cold_seen = sum(cold.overlap(s, e) for s, e, _ in warm)
        self.assertGreaterEqual(hot_seen, 0.9 * (hot.end - hot.start), regions)
        self.assertLessEqual(cold_seen, 0.01 * (cold.end - cold.start), regions)

    def wait_for_hot_area(self, hot, cold, seconds=30):
        """DAMON needs a few aggregations to split out the hot area: polls
        `report access` until it shows it (or the last attempt's failure)."""
        deadline = time.monotonic() + seconds
        while True:
            regions = self.report_access()[0]
            try:
                self.assertHotAreaIsHottest(regions, hot, cold)
                return regions
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(1)

    def test_start_report_tune_record_stop(self):
        pid = simulated_pid('hotcold')
        hot, cold = hotcold_truth(pid)

        # start: vaddr target, a stat scheme with quotas, a user_input goal,
        # a filter and watermarks.
        out = self.damo('start', '--ops', 'vaddr', '--target_pid', pid,
                        '--damos_action', 'stat',
                        '--damos_access_rate', '5%', '100%', '--damos_age', '0', 'max',
                        '--damos_quotas', '100', '1G', '1000',
                        '--damos_quota_goal', 'user_input', '5000', '1000',
                        '--damos_filter', 'reject', 'none', 'anon',
                        '--damos_wmarks', 'free_mem_rate', '1000000', '1000', '999', '0')
        self.assertEqual(out.strip(), '', out)
        self.assertEqual(kd('0/state'), 'on')
        kdamond_pid = kd('0/pid')
        with open('/proc/%s/comm' % kdamond_pid) as f:
            self.assertRegex(f.read(), r'^kdamond\.\d+\n$')
        c = '0/contexts/0/'
        s = c + 'schemes/0/'
        self.assertEqual(kd(c + 'operations'), 'vaddr')
        self.assertEqual(kd(c + 'targets/nr_targets'), '1')
        self.assertEqual(kd(c + 'targets/0/pid_target'), str(pid))
        self.assertEqual(kd(s + 'action'), 'stat')
        # 5% and 100% of the 20 samples per aggregation
        self.assertEqual((kd(s + 'access_pattern/nr_accesses/min'),
                          kd(s + 'access_pattern/nr_accesses/max')), ('1', '20'))
        self.assertEqual((kd(s + 'quotas/ms'), kd(s + 'quotas/bytes'), kd(s + 'quotas/reset_interval_ms')),
                         ('100', str(1 << 30), '1000'))
        self.assertEqual(kd(s + 'quotas/goals/nr_goals'), '1')
        self.assertEqual((kd(s + 'quotas/goals/0/target_metric'), kd(s + 'quotas/goals/0/target_value'),
                          kd(s + 'quotas/goals/0/current_value')), ('user_input', '5000', '1000'))
        self.assertEqual(tuple(kd(s + 'watermarks/' + f) for f in ('metric', 'interval_us', 'high', 'mid', 'low')),
                         ('free_mem_rate', '1000000', '1000', '999', '0'))
        # anon is an operations-layer filter: damo puts it in ops_filters/.
        self.assertEqual(kd(s + 'ops_filters/nr_filters'), '1')
        self.assertEqual(tuple(kd(s + 'ops_filters/0/' + f) for f in ('type', 'matching', 'allow')),
                         ('anon', 'N', 'N'))

        # report damon shows what was set, as text and as JSON.
        text = self.damo('report', 'damon')
        for expected in ('state: on, pid: %s' % kdamond_pid, 'ops: vaddr', 'pid: %d' % pid,
                         'action: stat', 'nr_accesses: [1 samples, 20 samples]',
                         '100 ms / 1024.000 MiB /', 'per 1 s',
                         'goal 0: metric user_input target 5,000 current 1,000',
                         'metric free_mem_rate, interval 1 s', '100 %, 99.9 %, 0 %',
                         'reject none anon'):
            self.assertIn(expected, text)
        status = json.loads(self.damo('report', 'damon', '--format', 'json', '--raw'))
        scheme = status[0]['contexts'][0]['schemes'][0]
        self.assertEqual(status[0]['state'], 'on')
        self.assertEqual(status[0]['contexts'][0]['targets'][0]['pid'], pid)
        self.assertEqual(scheme['quotas']['sz_bytes'], str(1 << 30))
        self.assertEqual(scheme['quotas']['goals'][0]['metric'], 'user_input')
        self.assertEqual(scheme['watermarks']['metric'], 'free_mem_rate')
        self.assertEqual([(f['filter_type'], f['matching'], f['allow']) for f in scheme['filters']],
                         [('anon', False, False)])

        # report access: the true hot area is the hottest.
        self.wait_for_hot_area(hot, cold)
        stats = self.damo('report', 'damon', '--damos_stats', '--raw')
        nr_tried = int(re.search(r'^nr_tried: (\d+)$', stats, re.M).group(1))
        self.assertGreater(nr_tried, 0, stats)

        # tune: new intervals and a changed scheme, applied to the running kdamond.
        out = self.damo('tune', '--ops', 'vaddr', '--target_pid', pid,
                        '--monitoring_intervals', '10ms', '200ms', '2s',
                        '--damos_action', 'stat',
                        '--damos_access_rate', '10%', '100%', '--damos_age', '0', 'max',
                        '--damos_quotas', '0', '512M', '2000')
        self.assertEqual(out.strip(), '', out)
        self.assertEqual(kd('0/state'), 'on')
        self.assertEqual(kd('0/pid'), kdamond_pid, 'tune restarted the kdamond')
        self.assertEqual(tuple(kd(c + 'monitoring_attrs/intervals/' + f) for f in ('sample_us', 'aggr_us', 'update_us')),
                         ('10000', '200000', '2000000'))
        self.assertEqual((kd(s + 'access_pattern/nr_accesses/min'),
                          kd(s + 'access_pattern/nr_accesses/max')), ('2', '20'))
        self.assertEqual((kd(s + 'quotas/ms'), kd(s + 'quotas/bytes'), kd(s + 'quotas/reset_interval_ms')),
                         ('0', str(512 << 20), '2000'))
        self.assertEqual(kd(s + 'quotas/goals/nr_goals'), '0')
        self.assertIn('intervals: sample 10 ms, aggr 200 ms, update 2 s', self.damo('report', 'damon'))
        self.wait_for_hot_area(hot, cold)

        # record --snapshot, validate, and the record's own views of it.
        record = os.path.join(self.tmp, 'damon.data')
        out = self.damo('record', '--snapshot', '0.5', '3', '--do_record', 'access', '-o', record)
        self.assertTrue(os.path.getsize(record) > 0)
        out = self.damo('validate', '-i', record)
        self.assertNotIn('invalid', out.lower(), out)
        snapshots = self.report_access('-i', record)
        self.assertEqual(len(snapshots), 3)
        for regions in snapshots:
            self.assertHotAreaIsHottest(regions, hot, cold)
        self.assertEqual(kd('0/state'), 'on', 'record of a running kdamond must leave it running')

        self.assertHeatmapShowsHotArea(record, hot, cold)
        self.assertStopped()

    def test_record_default_mode_shows_the_hot_area(self):
        # damo record's default mode: damo starts a vaddr kdamond on the
        # process and records damon:damon_aggregated through perf (the one
        # damonfs-run puts first on PATH), then converts the recording with
        # perf script.
        pid = simulated_pid('hotcold')
        hot, cold = hotcold_truth(pid)
        record = os.path.join(self.tmp, 'damon.data')
        self.damo('record', pid, '--timeout', '20', '-o', record)
        self.assertFalse(os.path.exists(os.path.join(KDAMONDS, '0', 'state')) and kd('0/state') == 'on',
                         'damo record stops the kdamond it started')
        out = self.damo('validate', '-i', record)
        self.assertNotIn('invalid', out.lower(), out)
        snapshots = self.report_access('-i', record)
        # One snapshot per 100 ms aggregation, less damo's start and stop.
        self.assertGreaterEqual(len(snapshots), 100)
        self.assertHotAreaIsHottest(snapshots[-1], hot, cold)
        self.assertHeatmapShowsHotArea(record, hot, cold)

    def assertHeatmapShowsHotArea(self, record, hot, cold):
        """The heatmap of the record over cold+hot: the hot cells are the
        warm ones. (A cold cell may warm up a little: DAMON samples one page
        of a region per interval, and cold pages are touched now and then.)"""
        heat = self.damo('report', 'heatmap', '-i', record, '--output', 'raw', '--abs_addr',
                         '--address_range', cold.start, hot.end, '--resol', '3', '64')
        cells = [(int(a), float(v)) for _, a, v in (line.split() for line in heat.splitlines() if line.strip())
                 if v != 'NaN']
        self.assertGreaterEqual(len(cells), 64, heat[-2000:])
        in_hot = [v for a, v in cells if hot.start <= a < hot.end]
        in_cold = [v for a, v in cells if cold.start <= a < cold.end]
        self.assertTrue(in_hot and in_cold, heat[-2000:])
        self.assertGreater(min(in_hot), 0, heat)
        hottest = max(cells, key=lambda c: c[1])[0]
        width = (hot.end - cold.start) // 64
        self.assertGreater(hot.overlap(hottest, hottest + width), 0,
                           'hottest heatmap cell %#x is outside %s' % (hottest, hot))
        self.assertGreater(sum(in_hot) / len(in_hot), 10 * sum(in_cold) / len(in_cold), heat)


class ConfigFileTest(DamoTestCase):
    def test_start_yaml_migrate_hot_with_weighted_dests(self):
        pid = simulated_pid('hotcold')
        config = os.path.join(self.tmp, 'tiering.yaml')
        with open(config, 'w') as f:
            f.write('''kdamonds:
- contexts:
  - ops: vaddr
    targets:
    - pid: %d
      regions: []
    intervals:
      sample_us: 5 ms
      aggr_us: 100 ms
      ops_update_us: 1 s
    nr_regions: {min: 10, max: 1000}
    schemes:
    - action: migrate_hot
      dests:
      - {id: 0, weight: 30}
      - {id: 1, weight: 70}
      access_pattern:
        sz_bytes: {min: 4 KiB, max: max}
        nr_accesses: {min: 50 %%, max: 100 %%}
        age: {min: 0 ns, max: max}
''' % pid)
        out = self.damo('start', config)
        self.assertEqual(out.strip(), '', out)
        self.assertEqual(kd('0/state'), 'on')
        s = '0/contexts/0/schemes/0/'
        self.assertEqual(kd(s + 'action'), 'migrate_hot')
        self.assertEqual(kd(s + 'dests/nr_dests'), '2')
        self.assertEqual([(kd(s + 'dests/%d/id' % i), kd(s + 'dests/%d/weight' % i)) for i in (0, 1)],
                         [('0', '30'), ('1', '70')])
        self.assertEqual((kd(s + 'access_pattern/nr_accesses/min'),
                          kd(s + 'access_pattern/nr_accesses/max')), ('10', '20'))
        text = self.damo('report', 'damon')
        self.assertIn('action: migrate_hot', text)
        self.assertIn('dest 0 weight 30', text)
        self.assertIn('dest 1 weight 70', text)
        # The hot pages start on node 0 (the scenario's CPU node): the
        # scheme moves some, and the ground truth (when the mount has it)
        # shows them on node 1 while the cold pages stay.
        deadline = time.monotonic() + 30
        while True:
            stats = self.damo('report', 'damon', '--damos_stats', '--raw')
            sz_applied = int(re.search(r'^sz_applied: (\d+)$', stats, re.M).group(1))
            truth = truth_regions(pid)
            moved = truth['hot'].resident.get(1, 0) if truth else sz_applied
            if (sz_applied > 0 and moved > 0) or time.monotonic() > deadline:
                break
            time.sleep(1)
        self.assertGreater(sz_applied, 0, stats)
        if truth:
            self.assertGreater(truth['hot'].resident.get(1, 0), 0, vars(truth['hot']))
            cold = truth['cold']
            self.assertLessEqual(cold.resident.get(1, 0), 0.05 * (cold.end - cold.start), vars(cold))
        self.assertStopped()


def admin_is_fuse():
    """damo writes under the admin path: only ever to a damonfs mount, never
    to the kernel's DAMON of the machine (the launcher binds the mount)."""
    return subprocess.run(['stat', '-f', '-c', '%T', os.path.dirname(KDAMONDS)],
                          capture_output=True, text=True).stdout.strip() in ('fuse', 'fuseblk')


if __name__ == '__main__':
    if not admin_is_fuse():
        raise SystemExit('inside_tests: %s is not a FUSE mount; run me through '
                         'scripts/damonfs-run, never against the kernel' % os.path.dirname(KDAMONDS))
    unittest.main(verbosity=2)
