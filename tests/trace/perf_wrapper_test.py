#!/usr/bin/env python3
"""DAMON's tracepoints through scripts/damonfs-run: its tracefs view and the
perf it puts first on PATH (scripts/damonfs-perf).

On a manual clock, so that what is recorded is exact: a paddr kdamond on
the simulated machine, `perf record` of damon events while one simulated
second passes, then `perf script` and `perf trace` of it, checked line by
line against the format real perf prints for tracepoints and against the
kdamond (one damon_aggregated per region per 100 ms aggregation, regions
tiling the monitored range).

Needs damonfs (DAMONFS, else build/fs/damonfs) and what damonfs-run needs
(root, or user namespaces and /dev/fuse); skips (exit 77) with the reason
otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAMONFS = os.path.abspath(os.environ.get('DAMONFS') or os.path.join(REPO, 'build', 'fs', 'damonfs'))
LAUNCHER = os.path.join(REPO, 'scripts', 'damonfs-run')
SKIP = 77

# Starts a paddr kdamond (default attributes) over the simulated DRAM node
# and records while 1 s of simulated time passes.
SCRIPT = r'''
set -e
cd "$OUT"
k=/sys/kernel/mm/damon/admin/kdamonds
echo 1 > $k/nr_kdamonds; echo 1 > $k/0/contexts/nr_contexts
echo paddr > $k/0/contexts/0/operations
echo 1 > $k/0/contexts/0/targets/nr_targets
# paddr monitors the regions it is given: node 0's memory.
r=$k/0/contexts/0/targets/0/regions
echo 1 > $r/nr_regions
awk '$2 == 0 {print $10}' "$DAMONFS_MOUNT/damonfs/nodes" > $r/0/start
awk '$2 == 0 {print $12}' "$DAMONFS_MOUNT/damonfs/nodes" > $r/0/end
echo on > $k/0/state
clock=$DAMONFS_MOUNT/damonfs/clock
t=$(awk '$3 == "tracefs" {print $2; exit}' /proc/mounts)
grep '^damon:' "$t/available_events" > events
cat "$t/events/damon/damon_aggregated/format" > format
command -v perf > perf_path
perf record -e damon:damon_aggregated -e damon:damos_stat_after_apply_interval -a -o rec.data \
  -- sh -c "echo 1s > $clock" 2> record.err
perf script -i rec.data > script.out
perf script -i rec.data -F time,event,trace > script_f.out
perf trace -e damon:damon_aggregated -- sh -c "echo 100ms > $clock" 2> trace.out
perf trace --libtraceevent_print -e damon:damon_aggregated -- sh -c "echo 100ms > $clock" 2> trace_lib.out
perf record -e damon:no_such_event -o bad.data -- true 2> bad.err && echo 0 > bad.rc || echo $? > bad.rc
perf --version > version
echo off > $k/0/state
'''

SCRIPT_LINE = re.compile(
    r'^(?P<comm> *kdamond\.0) (?P<tid> *\d+) \[(?P<cpu>\d{3})\] (?P<time> *\d+\.\d{6}): +'
    r'(?P<event>damon:damon_aggregated): target_id=0 nr_regions=(?P<nr>\d+) '
    r'(?P<start>\d+)-(?P<end>\d+): (?P<acc>\d+) (?P<age>\d+)$')
TRACE_LINE = re.compile(
    r'^ *\d+\.\d{3} kdamond\.0/\d+ damon:damon_aggregated\(target_id: 0, nr_regions: \d+, '
    r'start: \d+, end: \d+, nr_accesses: \d+, age: \d+\)$')
TRACE_LIB_LINE = re.compile(
    r'^ *\d+\.\d{3} kdamond\.0/\d+ damon:damon_aggregated\(target_id=0 nr_regions=\d+ '
    r'\d+-\d+: \d+ \d+\)$')


class PerfWrapperTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix='damonfs-perf-test.')
        os.chmod(cls.out, 0o777)
        p = subprocess.run([LAUNCHER, '--damonfs', DAMONFS, '--clock', 'manual', '--',
                            'sh', '-c', SCRIPT], capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, OUT=cls.out), cwd='/', stdin=subprocess.DEVNULL)
        cls.run_output = 'exit %d\nstdout:\n%s\nstderr:\n%s' % (p.returncode, p.stdout, p.stderr)
        cls.returncode = p.returncode

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)

    def read(self, name):
        self.assertEqual(self.returncode, 0, self.run_output)
        with open(os.path.join(self.out, name)) as f:
            return f.read()

    def test_tracefs_view_shows_the_profiles_events(self):
        self.assertEqual(self.read('events').split(), [
            'damon:damon_aggregated', 'damon:damon_monitor_intervals_tune', 'damon:damon_region_aggregated',
            'damon:damos_before_apply', 'damon:damos_esz', 'damon:damos_stat_after_apply_interval'])
        fmt = self.read('format')
        self.assertTrue(fmt.startswith('name: damon_aggregated\nID: '), fmt)
        self.assertIn('print fmt: "target_id=%lu nr_regions=%u %lu-%lu: %u %u"', fmt)
        self.assertEqual(os.path.basename(self.read('perf_path').strip()), 'perf')
        self.assertIn('damonfs-run', self.read('perf_path'))

    def test_record_and_script_give_every_region_of_every_aggregation(self):
        self.assertRegex(self.read('record.err'), r'\[ perf record: Captured and wrote .* rec\.data \(\d+ samples\) \]')
        lines = self.read('script.out').splitlines()
        by_time = {}
        width = len('damon:damos_stat_after_apply_interval')
        for line in lines:
            if 'damos_stat_after_apply_interval' in line:
                continue  # no scheme: none is emitted
            m = SCRIPT_LINE.match(line)
            self.assertIsNotNone(m, repr(line))
            self.assertEqual(len(m['comm']), 16, line)  # %16s
            # The event name is right-aligned to the longest recorded one.
            self.assertEqual(line.index('damon:damon_aggregated:') - m.end('time') - 2,
                             width - len('damon:damon_aggregated'), line)
            by_time.setdefault(m['time'].strip(), []).append(m)
        # 1 s of simulated time at the default 100 ms aggregation interval.
        self.assertEqual(len(by_time), 10, sorted(by_time))
        times = sorted(float(t) for t in by_time)
        for a, b in zip(times, times[1:]):
            self.assertAlmostEqual(b - a, 0.1, places=6)
        for regions in by_time.values():
            self.assertEqual(len(regions), int(regions[0]['nr']))
            for left, right in zip(regions, regions[1:]):
                self.assertEqual(left['end'], right['start'])  # they tile the range
            for r in regions:
                self.assertLessEqual(int(r['acc']), 20)  # of 20 samples per aggregation

    def test_script_fields(self):
        lines = self.read('script_f.out').splitlines()
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r'^ *\d+\.\d{6}: +damon:damon_aggregated: target_id=0 nr_regions=\d+ \d+-\d+: \d+ \d+$')

    def test_trace_prints_as_perf_trace(self):
        for name, pattern in (('trace.out', TRACE_LINE), ('trace_lib.out', TRACE_LIB_LINE)):
            lines = self.read(name).splitlines()
            self.assertTrue(lines, name)
            for line in lines:
                self.assertRegex(line, pattern)

    def test_unknown_event_is_refused(self):
        self.assertEqual(self.read('bad.rc').strip(), '129')
        self.assertIn("'damon:no_such_event'", self.read('bad.err'))
        self.assertFalse(os.path.exists(os.path.join(self.out, 'bad.data')))

    def test_other_uses_go_to_the_real_perf(self):
        real = shutil.which('perf')
        if real is None:
            self.assertIn('damonfs', self.read('version'))
        else:
            self.assertEqual(self.read('version'),
                             subprocess.run([real, '--version'], capture_output=True, text=True).stdout)


def main():
    if not os.access(DAMONFS, os.X_OK):
        print('SKIP: no damonfs at %s (set DAMONFS)' % DAMONFS)
        return SKIP
    p = subprocess.run([LAUNCHER, '--damonfs', DAMONFS, '--', 'true'], capture_output=True, text=True)
    if p.returncode == 125:
        print('SKIP: %s' % p.stderr.strip())
        return SKIP
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
