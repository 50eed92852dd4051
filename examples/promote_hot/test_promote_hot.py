#!/usr/bin/env python3
"""Tests promote_hot.py the way a policy's own CI can: against a damonfs
mount whose simulated time moves only when the test says so.

No sleeps and no timing: the test writes a duration to damonfs/clock, the
write returns once every kdamond and the simulated machine stand at that
instant, and the ground truth (damonfs/truth/PID: which node holds each
region of the process) says whether the policy did its job.

Needs damonfs (DAMONFS, else ../../build/fs/damonfs) and /dev/fuse; skips
with the reason otherwise.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DAMONFS = os.environ.get('DAMONFS') or os.path.join(REPO, 'build', 'fs', 'damonfs')
SCENARIO = os.path.join(REPO, 'scenarios', 'tiering-seed.yaml')
POLICY = os.path.join(HERE, 'promote_hot.py')


class ManualClockMount:
    """damonfs --clock manual on a fresh directory, unmounted on exit."""

    def __init__(self, scenario):
        self.scenario = scenario

    def __enter__(self):
        self.root = tempfile.mkdtemp(prefix='promote-hot-')
        # damonfs daemonizes once the mount is up.
        subprocess.run([DAMONFS, '--clock', 'manual', '--scenario', self.scenario, self.root],
                       check=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(['fusermount3', '-u', self.root], check=False)
        os.rmdir(self.root)

    def advance(self, duration):
        """Moves simulated time on by `duration` ('10s', '250ms')."""
        with open(os.path.join(self.root, 'damonfs', 'clock'), 'w') as f:
            f.write(duration)

    def pid(self, name):
        with open(os.path.join(self.root, 'damonfs', 'processes')) as f:
            for line in f:
                fields = line.split()
                if fields[1] == name:
                    return int(fields[3])
        raise LookupError(name)

    def resident(self, pid):
        """{region: {node: bytes}} from the ground truth."""
        out = {}
        with open(os.path.join(self.root, 'damonfs', 'truth', str(pid))) as f:
            for line in f:
                kv = line.split()
                fields = dict(zip(kv[::2], kv[1::2]))
                out[fields['region']] = {int(n): int(b) for n, b in
                                         (p.split(':') for p in fields['resident'].split(','))}
        return out


def policy(mount, *args):
    return subprocess.run([sys.executable, POLICY, '--sysfs', mount.root] + list(args),
                          check=True, capture_output=True, text=True).stdout


@unittest.skipUnless(os.access(DAMONFS, os.X_OK), 'no damonfs binary at %s (set DAMONFS)' % DAMONFS)
@unittest.skipUnless(os.path.exists('/dev/fuse') and shutil.which('fusermount3'),
                     'needs /dev/fuse and fusermount3')
class PromoteHotTest(unittest.TestCase):
    def test_moves_the_hot_set_to_dram_and_leaves_the_cold_slab(self):
        with ManualClockMount(SCENARIO) as m:
            pid = m.pid('kvstore')
            # The scenario loaded the whole process on the CXL node (1).
            before = m.resident(pid)
            self.assertEqual(before['index'].get(0, 0), 0, before)
            self.assertEqual(before['slab0'].get(0, 0), 0, before)

            policy(m, 'start', '--pid', str(pid), '--node', '0')
            m.advance('60s')  # one minute of the first phase: slab0 is hot
            stats = dict(line.split() for line in policy(m, 'status').splitlines())
            after = m.resident(pid)
            policy(m, 'stop')

            self.assertGreater(int(stats['sz_applied']), 0, stats)
            hot = sum(after[r].get(0, 0) for r in ('index', 'slab0'))
            hot_total = sum(sum(after[r].values()) for r in ('index', 'slab0'))
            self.assertGreaterEqual(hot / hot_total, 0.9, after)
            # DAMON regions straddling the slabs' border take some of the
            # cold slab along; most of it stays on CXL.
            cold = after['slab1']
            self.assertLessEqual(cold.get(0, 0) / sum(cold.values()), 0.2, after)


if __name__ == '__main__':
    unittest.main(verbosity=2)
