#!/usr/bin/env python3
"""The tiering seed driven by unmodified damo through the mount, with
--speed: `damo start` with the seed's two-scheme tiering configuration (two
paddr kdamonds: migrate_cold on DRAM aiming at 0.5% free, migrate_hot on
CXL aiming at 99.7% used, young filters, 1 s apply interval, 200 MB/s
quotas, intervals auto-tuning), then `damo report damon` and damonfs/nodes
at the end of each of the scenario's four 5-minute phases (TIERING_CLOCK
says how time runs, see below). The 20 simulated
minutes must take at most 60 s of wall time and reach the seed's acceptance
bounds at every phase end (DRAM 99-99.8% used, >= 90% of the hot set in
DRAM), as tests/unit/damos_seeds/seed_tiering_test.cpp does.

Needs DAMO (a damo checkout's damo) and what scripts/damonfs-run needs;
exits 77 (skipped) with the reason otherwise.
"""
import json
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEED = os.environ.get('TIERING_SPEED', '40')
# damonfs's --clock. manual (default): time stands still while damo sets
# up, and each phase is one 300 s advance run at no more than SPEED x;
# from-on: time stands at 0 until damo start turns the first kdamond on,
# then runs at SPEED x, and phase ends are polled; auto: the same, but from
# the mount on, so damo's set-up eats into phase 1.
CLOCK = os.environ.get('TIERING_CLOCK', 'manual')
PHASE_US = 300 * 1000000

# Runs inside damonfs-run: DAMONFS_MOUNT is the mount, damo sees it at
# /sys/kernel/mm/damon/admin.
INSIDE = r'''
import json, os, subprocess, sys, time
mnt = os.environ['DAMONFS_MOUNT']
damo = sys.argv[1]
phase_us = int(sys.argv[2])
manual = sys.argv[3] == 'manual'

def fields(rel):
    with open(os.path.join(mnt, rel)) as f:
        return [dict(zip(l.split()[::2], l.split()[1::2])) for l in f.read().splitlines()]

def now_us():
    return int(fields('damonfs/clock')[0]['now_us'])

nodes = {int(n['node']): n for n in fields('damonfs/nodes')}
pid = next(int(p['pid']) for p in fields('damonfs/processes') if p['name'] == 'kvstore')

def tier(node, action, dest, goal_metric, goal, young):
    return ['--ops', 'paddr', '--regions', '%s-%s' % (node['start'], node['end']),
            '--monitoring_intervals_goal', '4%', '3', '5ms', '10s',
            '--damos_action', action, str(dest),
            '--damos_access_rate'] + (['0%', '0%'] if action == 'migrate_cold' else ['5%', 'max']) + [
            '--damos_age', '0', 'max',
            '--damos_apply_interval', '1s',
            '--damos_quota_interval', '1s', '--damos_quota_space', '200MB',
            '--damos_quota_weights', '0', '100', '100',
            '--damos_quota_goal', goal_metric, goal, '0',
            '--damos_filter', 'allow' if young else 'reject', 'young']

kdamonds = []
for args in (tier(nodes[0], 'migrate_cold', 1, 'node_mem_free_bp', '0.5%', False),
             tier(nodes[1], 'migrate_hot', 0, 'node_mem_used_bp', '99.7%', True)):
    out = subprocess.run([damo, 'args', 'damon', '--format', 'json'] + args,
                         check=True, capture_output=True, text=True).stdout
    kdamonds += json.loads(out)['kdamonds']
config = os.path.join(os.environ['HOME'], 'tiering.json')
with open(config, 'w') as f:
    json.dump({'kdamonds': kdamonds}, f)
start = time.monotonic()
subprocess.run([damo, 'start', config], check=True)
# Where simulated time stood when damo start returned: under --clock auto
# it ran on during the set-up, so the kdamonds start late in phase 1.
started_us = now_us()
ends = []
for phase in range(1, 5):
    if manual:
        with open(os.path.join(mnt, 'damonfs/clock'), 'w') as f:
            f.write('%dus' % (phase * phase_us - now_us()))
    while now_us() < phase * phase_us:
        time.sleep(0.02)
    # Two snapshots right at the phase end: the placement, and damo's view.
    t_us = now_us()
    dram = fields('damonfs/nodes')[0]
    regions = {r['region']: dict(map(int, x.split(':')) for x in r['resident'].split(','))
               for r in fields('damonfs/truth/%d' % pid)}
    slab = 'slab%d' % ((phase - 1) % 2)
    hot = sum(regions[r].get(0, 0) for r in ('index', slab)) / \
        sum(sum(regions[r].values()) for r in ('index', slab))
    report = subprocess.run([damo, 'report', 'damon'], check=True, capture_output=True,
                            text=True).stdout
    ends.append({'t_us': t_us, 'dram_used': 1 - int(dram['free']) / int(dram['total']),
                 'hot_in_dram': hot, 'report_kdamonds': report.count('kdamond ')})
wall = time.monotonic() - start
subprocess.run([damo, 'stop'], check=True)
with open(os.path.join(mnt, 'damonfs/clock')) as f:
    clock = f.read().strip()
print(json.dumps({'wall_s': wall, 'started_us': started_us, 'ends': ends, 'clock': clock}))
'''


def main():
    damo = os.environ.get('DAMO')
    if not damo or not os.access(damo, os.X_OK):
        print('skipped: set DAMO to a damo checkout\'s damo')
        return 77
    damonfs = os.environ.get('DAMONFS') or os.path.join(REPO, 'build', 'fs', 'damonfs')
    cmd = [os.path.join(REPO, 'scripts', 'damonfs-run'), '--damonfs', damonfs,
           '--scenario', os.path.join(REPO, 'scenarios', 'tiering-seed.yaml'), '--speed', SPEED,
           '--clock', CLOCK, '--', sys.executable, '-c', INSIDE, damo, str(PHASE_US), CLOCK]
    start = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True)
    total = time.monotonic() - start
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        print('0 passed, 1 failed')
        return 1
    result = json.loads(r.stdout.strip().splitlines()[-1])
    print('damo tiering at --speed %s --clock %s: 20 simulated minutes in %.1f s of wall time '
          '(%.1f s with mount and set-up); damo start returned at t=%.1f s; %s'
          % (SPEED, CLOCK, result['wall_s'], total, result['started_us'] / 1e6, result['clock']))
    failures = []
    for i, e in enumerate(result['ends']):
        print('  phase %d end (t=%.0f s): DRAM %.2f%% used, %.1f%% of the hot set in DRAM'
              % (i + 1, e['t_us'] / 1e6, 100 * e['dram_used'], 100 * e['hot_in_dram']))
        if not 0.99 <= e['dram_used'] <= 0.998:
            failures.append('phase %d: DRAM used %.2f%% outside [99%%, 99.8%%]' % (i + 1, 100 * e['dram_used']))
        if e['hot_in_dram'] < 0.9:
            failures.append('phase %d: hot set in DRAM %.1f%% < 90%%' % (i + 1, 100 * e['hot_in_dram']))
        if e['report_kdamonds'] < 2:
            failures.append('phase %d: damo report damon did not show both kdamonds' % (i + 1))
    if result['wall_s'] > 60:
        failures.append('took %.1f s of wall time (> 60 s)' % result['wall_s'])
    for f in failures:
        print('FAIL:', f)
    print('%d passed, %d failed' % (0 if failures else 1, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
