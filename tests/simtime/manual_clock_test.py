#!/usr/bin/env python3
"""A scripted manual-clock run through the mount, repeated on fresh mounts:
the same writes and clock advances must give byte-identical stats/,
tried_regions/, ground truth and node placement, with or without --speed.

Two kdamonds (vaddr, one process each) with a stat scheme and a scheme
demoting cold memory to the CXL node each; six 10 s advances (60 simulated seconds), each followed by
update_schemes_stats and update_schemes_tried_regions on both, a commit
half-way, and every file of interest read into a transcript.

Needs damonfs (DAMONFS, else build/fs/damonfs) and /dev/fuse; skips with
the reason otherwise.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAMONFS = os.environ.get('DAMONFS') or os.path.join(REPO, 'build', 'fs', 'damonfs')


class Mount:
    def __init__(self, *options):
        self.options = list(options)

    def __enter__(self):
        self.root = tempfile.mkdtemp(prefix='damonfs-clock-')
        subprocess.run([DAMONFS] + self.options + [self.root], check=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(['fusermount3', '-u', self.root], check=False)
        os.rmdir(self.root)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, value):
        with open(self.path(rel), 'w') as f:
            f.write('%s\n' % value)

    def read(self, rel):
        with open(self.path(rel)) as f:
            return f.read()

    def pid(self, name):
        for line in self.read('damonfs/processes').splitlines():
            f = line.split()
            if f[1] == name:
                return int(f[3])
        raise LookupError(name)


def kd(i, rel=''):
    return 'admin/kdamonds/%d/%s' % (i, rel)


def any_access(m, scheme):
    """Widens a scheme's access pattern (every range is 0..0 at first)."""
    for name, top in (('sz', 2**64 - 1), ('nr_accesses', 2**32 - 1), ('age', 2**32 - 1)):
        m.write(scheme + 'access_pattern/%s/max' % name, top)


def setup_kdamond(m, i, pid, demote_quota):
    ctx = kd(i, 'contexts/0/')
    m.write(kd(i, 'contexts/nr_contexts'), 1)
    m.write(ctx + 'operations', 'vaddr')
    m.write(ctx + 'monitoring_attrs/nr_regions/min', 10)
    m.write(ctx + 'monitoring_attrs/nr_regions/max', 200)
    m.write(ctx + 'targets/nr_targets', 1)
    m.write(ctx + 'targets/0/pid_target', pid)
    m.write(ctx + 'schemes/nr_schemes', 2)
    stat = ctx + 'schemes/0/'
    m.write(stat + 'action', 'stat')
    any_access(m, stat)
    m.write(stat + 'access_pattern/nr_accesses/min', 1)
    m.write(stat + 'apply_interval_us', 500000)
    cold = ctx + 'schemes/1/'
    m.write(cold + 'action', 'migrate_cold')
    m.write(cold + 'target_nid', 1)
    any_access(m, cold)
    m.write(cold + 'access_pattern/nr_accesses/max', 0)
    m.write(cold + 'access_pattern/age/min', 20)
    m.write(cold + 'quotas/bytes', demote_quota)
    m.write(cold + 'quotas/reset_interval_ms', 1000)


def dump(m, rel, out):
    """Appends every file below `rel` (sorted, recursively) to `out`."""
    full = m.path(rel)
    for name in sorted(os.listdir(full), key=lambda n: (len(n), n)):
        p = os.path.join(rel, name)
        if os.path.isdir(m.path(p)):
            dump(m, p, out)
        else:
            out.append('%s: %s' % (p, m.read(p).rstrip('\n')))


def scripted_run(*options):
    transcript = []
    with Mount('--clock', 'manual', *options) as m:
        pids = [m.pid('hotcold'), m.pid('phaseshift')]
        m.write('admin/kdamonds/nr_kdamonds', 2)
        for i, pid in enumerate(pids):
            setup_kdamond(m, i, pid, 16 << 20)
            m.write(kd(i, 'state'), 'on')
        for step in range(6):
            m.write('damonfs/clock', '10s')
            if step == 3:
                # A commit between advances takes effect at the same point.
                m.write(kd(0, 'contexts/0/schemes/1/quotas/bytes'), 64 << 20)
                m.write(kd(0, 'state'), 'commit')
            transcript.append('== step %d' % step)
            for i in range(2):
                m.write(kd(i, 'state'), 'update_schemes_stats')
                m.write(kd(i, 'state'), 'update_schemes_tried_regions')
                for s in range(2):
                    scheme = kd(i, 'contexts/0/schemes/%d/' % s)
                    dump(m, scheme + 'stats', transcript)
                    dump(m, scheme + 'tried_regions', transcript)
            for pid in pids:
                transcript.append(m.read('damonfs/truth/%d' % pid))
            transcript.append(m.read('damonfs/nodes'))
        clock = m.read('damonfs/clock').split()
        for i in range(2):
            m.write(kd(i, 'state'), 'off')
    return '\n'.join(transcript), dict(zip(clock[::2], clock[1::2]))


@unittest.skipUnless(os.access(DAMONFS, os.X_OK), 'no damonfs binary at %s (set DAMONFS)' % DAMONFS)
@unittest.skipUnless(os.path.exists('/dev/fuse') and shutil.which('fusermount3'),
                     'needs /dev/fuse and fusermount3')
class ManualClockTest(unittest.TestCase):
    def test_fresh_mounts_give_byte_identical_results(self):
        first, clock = scripted_run()
        second, _ = scripted_run()
        paced, paced_clock = scripted_run('--speed', '2000')
        self.assertEqual(clock['mode'], 'manual')
        self.assertEqual(paced_clock['speed'], '2000')
        # Tried-regions walks made the time their apply rounds needed pass.
        self.assertGreaterEqual(int(clock['now_us']), 60000000)
        # The run did something worth comparing.
        self.assertRegex(first, r'schemes/0/stats/nr_tried: [1-9]')
        self.assertRegex(first, r'schemes/1/stats/sz_applied: [1-9]')
        self.assertRegex(first, r'tried_regions/0/start: \d+')
        self.assertEqual(first, second)
        self.assertEqual(first, paced)

    def test_clock_file(self):
        with Mount('--clock', 'manual') as m:
            self.assertEqual(os.stat(m.path('damonfs/clock')).st_mode & 0o777, 0o600)
            self.assertRegex(m.read('damonfs/clock'),
                             r'^now_us 0 mode manual speed max reached - keeping_up yes\n$')
            for duration, us in (('250ms', 250000), ('100us', 250100), ('1.5s', 1750100),
                                 ('1min', 61750100)):
                m.write('damonfs/clock', duration)
                self.assertTrue(m.read('damonfs/clock').startswith('now_us %d ' % us))
            for bad in ('10', 'ten s', '5 parsecs', '-1s'):
                with self.assertRaises(OSError) as e:
                    m.write('damonfs/clock', bad)
                self.assertEqual(e.exception.errno, 22, bad)
        with Mount('--speed', '50') as m:
            self.assertEqual(os.stat(m.path('damonfs/clock')).st_mode & 0o777, 0o400)
            self.assertIn(' mode paced speed 50 ', m.read('damonfs/clock'))
        with Mount() as m:
            self.assertIn(' mode wall speed 1 ', m.read('damonfs/clock'))

    def test_from_on_clock_stands_still_until_the_first_on(self):
        with Mount('--speed', '1000', '--clock', 'from-on') as m:
            self.assertEqual(os.stat(m.path('damonfs/clock')).st_mode & 0o777, 0o400)
            waiting = r'^now_us 0 mode from-on speed 1000 reached - keeping_up yes waiting_for_on yes\n$'
            self.assertRegex(m.read('damonfs/clock'), waiting)
            m.write('admin/kdamonds/nr_kdamonds', 1)
            setup_kdamond(m, 0, m.pid('hotcold'), 16 << 20)
            # The set-up took wall time (each ms of it a second at 1000x):
            # none of it passed on the simulated machine.
            self.assertRegex(m.read('damonfs/clock'), waiting)
            m.write(kd(0, 'state'), 'on')
            # Commands that wait for the kdamond's progress work: a
            # tried-regions walk waits for an apply round.
            m.write(kd(0, 'state'), 'update_schemes_stats')
            m.write(kd(0, 'state'), 'update_schemes_tried_regions')
            clock = m.read('damonfs/clock').split()
            clock = dict(zip(clock[::2], clock[1::2]))
            self.assertEqual(clock['mode'], 'from-on')
            self.assertEqual(clock['waiting_for_on'], 'no')
            self.assertGreater(int(clock['now_us']), 0)
            m.write(kd(0, 'state'), 'off')

    def test_bad_options_say_why(self):
        for args, says in ((['--speed', '0.5'], 'at least 1'), (['--speed', 'fast'], 'at least 1'),
                           (['--clock', 'sundial'], "'auto', 'manual' or 'from-on'"),
                           (['--machine', 'host', '--clock', 'manual'], 'wall time')):
            r = subprocess.run([DAMONFS] + args + ['/nonexistent'], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, r)
            self.assertIn(says, r.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
