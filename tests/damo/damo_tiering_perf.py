#!/usr/bin/env python3
"""The tiering seed's application-speed experiment driven by unmodified damo
through the mount, in simulated time (--clock manual): Taobench / 100
(scenarios/tiering-taobench.yaml) under the seed's periodic hot/cold
exchange, scored with no tiering, with NUMA-balancing tiering (the scenario
with numa_balancing: tiering) and with self-tuned DAMON tiering. Each
configuration gets a fresh mount; `damo start` runs the seed's own command
lines (the exchange's and, for DAMON, the tiering one), then the clock
advances 200 s of warm-up and 1,400 s scored, and the score is the
process's accesses per simulated second over the scored time
(damonfs/perf/PID). The same experiment as SeedTieringPerf in
build/tests/damos_seeds_tests, which runs the contexts in-process.

Two changes to the seed's lines, both forced: `--numa_node N` becomes
`--regions` over the simulated node N's physical range (damo reads the
host's node layout for --numa_node, not the mount's; damonfs/nodes has the
simulated one), and the quota sizes are divided by 100 like every other
extensive figure of the scenario.

damonfs runs with --abi 6.16 (TIERING_ABI), the release the seed's
node_mem_{used,free}_bp goals came with: it keeps that kernel's region
splitting (min_nr_regions from the start came with 7.2), as the in-process
test does. After damo start the kdamonds' sysfs files are read back and
compared with what the in-process test's contexts would read as
(`damos_seeds_tests --gtest_filter=SeedTieringPerf.SysfsView*`, found in
DAMOS_SEEDS_TESTS or the build tree; the comparison is skipped, with a
note, without it): the two tests run the same kdamonds or this one fails.
TIERING_SEEDS=a,b,... runs the sweep over the scenario's seeds (default
the scenario's own, 1).

Asserts that every configuration ran and was scored over the whole time,
that the schemes migrated pages, that DAMON tiering ran its four kdamonds
and that NUMA balancing took hinting faults; prints the scores next to the
seed's (+4.42 % DAMON, -7.34 % NUMAB-2).

Needs DAMO (a damo checkout's damo) and what scripts/damonfs-run needs;
exits 77 (skipped) with the reason otherwise.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEED = os.environ.get('TIERING_SPEED', '100000')  # an advance's pace at most
ABI = os.environ.get('TIERING_ABI', '6.16')
SEEDS_TESTS = os.environ.get('DAMOS_SEEDS_TESTS') or os.path.join(REPO, 'build', 'tests', 'damos_seeds_tests')
WARMUP_S, SCORED_S, STEP_S = 200, 1400, 100
DAMO = os.environ.get('DAMO', '')
DAMONFS = os.environ.get('DAMONFS') or os.path.join(REPO, 'build', 'fs', 'damonfs')

# Runs inside damonfs-run: DAMONFS_MOUNT is the mount, damo sees it at
# /sys/kernel/mm/damon/admin.
INSIDE = r'''
import glob, json, os, subprocess, sys, time
mnt = os.environ['DAMONFS_MOUNT']
damo, config, warmup_s, scored_s, step_s = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
view_paths = json.loads(sys.argv[6])

def fields(rel):
    with open(os.path.join(mnt, rel)) as f:
        return [dict(zip(l.split()[::2], l.split()[1::2])) for l in f.read().splitlines()]

def now_us():
    return int(fields('damonfs/clock')[0]['now_us'])

def advance(seconds):
    target = now_us() + seconds * 1000000
    with open(os.path.join(mnt, 'damonfs/clock'), 'w') as f:
        f.write('%dus' % (seconds * 1000000))
    while now_us() < target:
        time.sleep(0.02)

nodes = {int(n['node']): n for n in fields('damonfs/nodes')}
pid = next(int(p['pid']) for p in fields('damonfs/processes') if p['name'] == 'taobench')

# The seed's lines, one context each.
EXCHANGE = [
    '--ops paddr --numa_node 0 --monitoring_intervals 10s 200s 200s '
    '--damos_action migrate_hot 1 --damos_quota_interval 60s --damos_quota_space 10G',
    '--ops paddr --numa_node 1 --monitoring_intervals 10s 200s 200s '
    '--damos_action migrate_cold 0 --damos_quota_interval 60s --damos_quota_space 10G']
TIERING = [
    '--numa_node 0 --monitoring_intervals_goal 4% 3 5ms 10s '
    '--damos_action migrate_cold 1 --damos_access_rate 0% 0% --damos_apply_interval 1s '
    '--damos_quota_interval 1s --damos_quota_space 200MB '
    '--damos_quota_goal node_mem_free_bp 0.5% 0 --damos_filter reject young',
    '--numa_node 1 --monitoring_intervals_goal 4% 3 5ms 10s '
    '--damos_action migrate_hot 0 --damos_access_rate 5% max --damos_apply_interval 1s '
    '--damos_quota_interval 1s --damos_quota_space 200MB '
    '--damos_quota_goal node_mem_used_bp 99.7% 0 --damos_filter allow young']
UNITS = {'G': 1 << 30, 'MB': 1 << 20}

def adapted(line):
    out, words = [], line.split()
    for i, w in enumerate(words):
        if i and words[i - 1] == '--numa_node':
            node = nodes[int(w)]
            out[-1:] = ['--regions', '%s-%s' % (node['start'], node['end'])]
        elif i and words[i - 1] == '--damos_quota_space':
            unit = next(u for u in UNITS if w.endswith(u))
            out.append(str(int(w[:-len(unit)]) * UNITS[unit] // 100))
        else:
            out.append(w)
    if '--ops' not in out:
        out = ['--ops', 'paddr'] + out
    return out

kdamonds = []
for line in EXCHANGE + (TIERING if config == 'damon' else []):
    out = subprocess.run([damo, 'args', 'damon', '--format', 'json'] + adapted(line),
                         check=True, capture_output=True, text=True).stdout
    kdamonds += json.loads(out)['kdamonds']
path = os.path.join(os.environ['HOME'], 'tiering.json')
with open(path, 'w') as f:
    json.dump({'kdamonds': kdamonds}, f)
subprocess.run([damo, 'start', path], check=True)
# What damo wrote, read back (kdamonds/K/contexts/0/... paths).
view = {}
for rel in view_paths:
    try:
        with open(os.path.join(mnt, 'admin', rel)) as f:
            view[rel] = f.read().strip()
    except FileNotFoundError:
        view[rel] = '(missing)'
advance(warmup_s)
before = fields('damonfs/perf/%d' % pid)[0]
for _ in range(scored_s // step_s):
    advance(step_s)
after = fields('damonfs/perf/%d' % pid)[0]
# The schemes' stats, refreshed and read raw.
applied = 0
for kdamond in glob.glob(os.path.join(mnt, 'admin/kdamonds/[0-9]*')):
    with open(os.path.join(kdamond, 'state'), 'w') as f:
        f.write('update_schemes_stats')
    for path in glob.glob(os.path.join(kdamond, 'contexts/*/schemes/*/stats/sz_applied')):
        with open(path) as f:
            applied += int(f.read())
subprocess.run([damo, 'stop'], check=True)
print(json.dumps({'before': before, 'after': after, 'kdamonds': len(kdamonds), 'sz_applied': applied,
                  'view': view}))
'''

SEED = {'numab': -7.34, 'damon': 4.42}


def scenario_for(config, seed, tmp):
    with open(os.path.join(REPO, 'scenarios', 'tiering-taobench.yaml')) as f:
        text = f.read()
    if seed is not None:
        text = re.sub(r'(?m)^seed: \d+$', 'seed: %d' % seed, text)
    if config == 'numab':
        text = text.replace('\nmachine:\n', '\nmachine:\n  numa_balancing: tiering\n', 1)
    out = os.path.join(tmp, 'tiering-taobench-%s-%s.yaml' % (config, seed))
    with open(out, 'w') as f:
        f.write(text)
    return out


def expected_view():
    """The in-process test's kdamonds as sysfs files ({path: value}), or
    None without its binary."""
    if not os.access(SEEDS_TESTS, os.X_OK):
        return None
    out = subprocess.run([SEEDS_TESTS, '--gtest_filter=SeedTieringPerf.SysfsView*'],
                         capture_output=True, text=True).stdout
    view = {}
    for line in out.splitlines():
        if line.startswith('[sysfs] '):
            path, value = line[len('[sysfs] '):].split(' ', 1)
            view[path] = value
    return view


# damo writes an access pattern's "max" as its conversion of the largest
# rate or age to samples or aggregations (numbers like 3.7e18 or 9.2e10),
# the in-process test as ~0: both bound nothing a region can reach.
UNBOUNDED = 1 << 32


def same_value(path, got, want):
    if got == want:
        return True
    if path.endswith('/max') and '/access_pattern/' in path and got.isdigit() and want.isdigit():
        return int(got) >= UNBOUNDED and int(want) >= UNBOUNDED
    return False


def run(config, seed, tmp, view_paths):
    cmd = [os.path.join(REPO, 'scripts', 'damonfs-run'), '--damonfs', DAMONFS, '--abi', ABI,
           '--scenario', scenario_for(config, seed, tmp), '--speed', SPEED, '--clock', 'manual', '--',
           sys.executable, '-c', INSIDE, DAMO, config, str(WARMUP_S), str(SCORED_S), str(STEP_S),
           json.dumps(view_paths)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('%s: damonfs-run exited %d\n%s%s' % (config, r.returncode, r.stdout, r.stderr))
    return json.loads(r.stdout.strip().splitlines()[-1])


def seeds():
    listed = os.environ.get('TIERING_SEEDS', '')
    return [int(x) for x in listed.split(',') if x] or [None]


def main():
    if not os.access(DAMO, os.X_OK):
        print('skipped: set DAMO to a damo checkout\'s damo')
        return 77
    failures = []
    want = expected_view()
    # Every kdamond's files for the DAMON run, the exchange's two otherwise.
    paths = sorted(want) if want else []
    print('[damo tiering-perf] Taobench / 100, the seed\'s damo start lines through the mount, '
          '--clock manual, --abi %s; score = accesses/s over %d s after %d s' % (ABI, SCORED_S, WARMUP_S))
    if want is None:
        print('  (no %s: the kdamonds were not compared with the in-process test\'s)' % SEEDS_TESTS)
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds():
            score, info = {}, {}
            for config in ('baseline', 'numab', 'damon'):
                mine = [p for p in paths if config == 'damon' or p.split('/')[1] in ('0', '1')]
                try:
                    r = run(config, seed, tmp, mine)
                except RuntimeError as e:
                    failures.append(str(e))
                    continue
                b, a = r['before'], r['after']
                seconds = float(a['seconds']) - float(b['seconds'])
                score[config] = (float(a['accesses']) - float(b['accesses'])) / seconds if seconds > 0 else 0
                info[config] = r
                if seconds < SCORED_S * 0.99:
                    failures.append('%s: scored %.0f simulated s, not %d' % (config, seconds, SCORED_S))
                for path in mine:
                    if not same_value(path, r['view'][path], want[path]):
                        failures.append('%s: %s is %s through damo, %s in the in-process test'
                                        % (config, path, r['view'][path], want[path]))
            tag = 'seed %s' % (seed if seed is not None else 'of the scenario')
            for config in ('baseline', 'numab', 'damon'):
                if config not in score:
                    continue
                line = '  %-8s %-8s %12.0f' % (tag, config, score[config])
                if config != 'baseline' and 'baseline' in score:
                    line += '  %+6.2f %% vs no tiering (seed %+.2f %%)' % (
                        100 * (score[config] / score['baseline'] - 1), SEED[config])
                line += '  kdamonds %d, migrated %d MiB' % (info[config]['kdamonds'], info[config]['sz_applied'] >> 20)
                if config == 'numab':
                    after = info[config]['after']
                    line += ', %s hinting faults, %d MiB promoted' % (
                        after.get('numa_hint_faults', '?'), int(after.get('numa_promoted_bytes', 0)) >> 20)
                print(line, flush=True)
            for config, r in info.items():
                if r['sz_applied'] == 0:
                    failures.append('%s: the schemes migrated nothing' % config)
            if 'damon' in info and info['damon']['kdamonds'] != 4:
                failures.append('damon: %d kdamonds, not 4' % info['damon']['kdamonds'])
            if 'numab' in info and int(info['numab']['after'].get('numa_hint_faults', 0)) == 0:
                failures.append('numab: no hinting faults in damonfs/perf')
    print('\n'.join('FAIL: ' + f for f in failures) or 'ok')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
