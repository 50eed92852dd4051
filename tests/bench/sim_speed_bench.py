#!/usr/bin/env python3
"""Simulated seconds per wall second through a damonfs mount with a manual
clock: how much faster than real time an experiment runs when time moves as
fast as the engine can go (a `--clock manual` advance with no --speed cap,
the ceiling of any --speed).

  single   one vaddr kdamond, default intervals (5 ms / 100 ms / 1 s),
           min = max = 1000 regions over a 1 TiB simulated process, one stat
           scheme taking every region (aim: >= 200 x)
  tiering  the self-tuned tiering seed (scenarios/tiering-seed.yaml): two
           paddr kdamonds, one per node, migrate_cold and migrate_hot with
           quota goals, young filters and intervals auto-tuning, over the
           scenario's 20 minutes; also prints the seed's phase-end figures

The ratio is simulated time over the wall time of the advance, the best of
--repeat runs (other work on the machine only ever adds wall time).
--baseline PATH runs the single kdamond with another damonfs binary too
(say, one built from an earlier commit), its runs interleaved with the
measured one's, and prints how much faster the measured one was: a
comparison that holds however loaded the machine is. The first run of
each also digests the scheme's tried regions after the advance, so a
change meant to be only faster shows whether it kept the answers.

  sim_speed_bench.py [--damonfs PATH] [--repeat N] [--baseline PATH]
Exits 1 when the single-kdamond aim is missed. Needs /dev/fuse.
"""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AIM = 200.0

ONE_TIB = """
name: speed-bench
seed: 42
machine:
  nodes:
    - {id: 0, capacity: 1028GiB, latency: 100ns, cpus: true}
processes:
  - name: bench
    regions:
      - {name: hot, size: 256GiB, intensity: 50}
      - {name: cold, size: 256GiB, intensity: 0.1}
      - {name: sweep, size: 256GiB, intensity: 5, pattern: sequential}
      - {name: huge, size: 256GiB, intensity: 1, thp: true}
"""


class Mount:
    def __init__(self, damonfs, scenario):
        self.damonfs, self.scenario = damonfs, scenario

    def __enter__(self):
        self.root = tempfile.mkdtemp(prefix='sim-speed-')
        subprocess.run([self.damonfs, '--clock', 'manual', '--scenario', self.scenario, self.root],
                       check=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(['fusermount3', '-u', self.root], check=False)
        os.rmdir(self.root)

    def write(self, rel, value):
        with open(os.path.join(self.root, rel), 'w') as f:
            f.write('%s\n' % value)

    def read(self, rel):
        with open(os.path.join(self.root, rel)) as f:
            return f.read()

    def advance(self, duration):
        """(wall, CPU) seconds the advance took, CPU being the daemon's."""
        start, cpu = time.perf_counter(), self.cpu()
        self.write('damonfs/clock', duration)
        return time.perf_counter() - start, self.cpu() - cpu

    def cpu(self):
        """CPU seconds so far of the daemon (every thread, the sampling
        helper's included) and of each kdamond task, a process of its own
        (ThreadSanitizer builds: a thread of the daemon)."""
        def status(pid, field):
            with open('/proc/%d/status' % pid) as f:
                return int(next(line.split()[1] for line in f if line.startswith(field + ':')))

        def seconds(pid):
            with open('/proc/%d/stat' % pid) as f:
                stat = f.read().rsplit(')', 1)[1].split()
            return (int(stat[11]) + int(stat[12])) / os.sysconf('SC_CLK_TCK')

        kdamonds = [int(self.read('admin/kdamonds/%s/pid' % k))
                    for k in os.listdir(os.path.join(self.root, 'admin/kdamonds')) if k.isdigit()]
        kdamonds = [pid for pid in kdamonds if pid > 0]
        own = [pid for pid in kdamonds if status(pid, 'Tgid') == pid]
        daemon = status(own[0], 'PPid') if own else status(kdamonds[0], 'Tgid')
        return seconds(daemon) + sum(seconds(pid) for pid in own)

    def fields(self, rel):
        return [dict(zip(line.split()[::2], line.split()[1::2])) for line in self.read(rel).splitlines()]

    def pid(self, name):
        return next(int(p['pid']) for p in self.fields('damonfs/processes') if p['name'] == name)


def widen(m, scheme):
    for name, top in (('sz', 2**64 - 1), ('nr_accesses', 2**32 - 1), ('age', 2**32 - 1)):
        m.write(scheme + 'access_pattern/%s/max' % name, top)


def tried_regions_digest(m, scheme):
    """A digest of a scheme's tried regions, every file of every region in
    order: the simulated machine's answers, to compare across builds."""
    m.write('admin/kdamonds/0/state', 'update_schemes_tried_regions')
    d = os.path.join(m.root, scheme + 'tried_regions')
    h = hashlib.sha256()
    for region in sorted((e for e in os.listdir(d) if e.isdigit()), key=int):
        rd = os.path.join(d, region)
        for name in sorted(f for f in os.listdir(rd) if os.path.isfile(os.path.join(rd, f))):
            with open(os.path.join(rd, name)) as f:
                h.update(('%s/%s=%s' % (region, name, f.read())).encode())
    return h.hexdigest()[:16]


def single(damonfs, scenario_file, digest=False):
    """(wall ratio, CPU ratio, nr_tried, digest of the tried regions or None)."""
    with Mount(damonfs, scenario_file) as m:
        c = 'admin/kdamonds/0/contexts/0/'
        m.write('admin/kdamonds/nr_kdamonds', 1)
        m.write('admin/kdamonds/0/contexts/nr_contexts', 1)
        m.write(c + 'operations', 'vaddr')
        m.write(c + 'monitoring_attrs/nr_regions/min', 1000)
        m.write(c + 'monitoring_attrs/nr_regions/max', 1000)
        m.write(c + 'targets/nr_targets', 1)
        m.write(c + 'targets/0/pid_target', m.pid('bench'))
        m.write(c + 'schemes/nr_schemes', 1)
        m.write(c + 'schemes/0/action', 'stat')
        widen(m, c + 'schemes/0/')
        m.write('admin/kdamonds/0/state', 'on')
        m.advance('2s')  # past start-up
        wall, cpu = m.advance('60s')
        m.write('admin/kdamonds/0/state', 'update_schemes_stats')
        tried = int(m.read(c + 'schemes/0/stats/nr_tried'))
        answers = tried_regions_digest(m, c + 'schemes/0/') if digest else None
        m.write('admin/kdamonds/0/state', 'off')
        return 60.0 / wall, 60.0 / cpu, tried, answers


def tier(m, k, node, action, target_nid, metric, goal, young_allow):
    """One kdamond of the tiering seed (seed_tiering_test.cpp's tier())."""
    kd = 'admin/kdamonds/%d/' % k
    c = kd + 'contexts/0/'
    s = c + 'schemes/0/'
    m.write(kd + 'contexts/nr_contexts', 1)
    m.write(c + 'operations', 'paddr')
    goal_dir = c + 'monitoring_attrs/intervals/intervals_goal/'
    for name, v in (('access_bp', 400), ('aggrs', 3), ('min_sample_us', 5000),
                    ('max_sample_us', 10000000)):
        m.write(goal_dir + name, v)
    m.write(c + 'targets/nr_targets', 1)
    m.write(c + 'targets/0/regions/nr_regions', 1)
    m.write(c + 'targets/0/regions/0/start', node['start'])
    m.write(c + 'targets/0/regions/0/end', node['end'])
    m.write(c + 'schemes/nr_schemes', 1)
    m.write(s + 'action', action)
    m.write(s + 'target_nid', target_nid)
    widen(m, s)
    if action == 'migrate_cold':
        m.write(s + 'access_pattern/nr_accesses/max', 0)
    else:
        m.write(s + 'access_pattern/nr_accesses/min', 1)
    m.write(s + 'apply_interval_us', 1000000)
    q = s + 'quotas/'
    m.write(q + 'reset_interval_ms', 1000)
    m.write(q + 'bytes', 200000000)
    m.write(q + 'weights/nr_accesses_permil', 100)
    m.write(q + 'weights/age_permil', 100)
    m.write(q + 'goals/nr_goals', 1)
    m.write(q + 'goals/0/target_metric', metric)
    m.write(q + 'goals/0/target_value', goal)
    m.write(q + 'goals/0/nid', 0)
    m.write(s + 'filters/nr_filters', 1)
    m.write(s + 'filters/0/type', 'young')
    m.write(s + 'filters/0/matching', 'Y')
    m.write(s + 'filters/0/allow', 'Y' if young_allow else 'N')
    m.write(kd + 'state', 'on')


def hot_in_dram(m, pid, phase):
    slab = 'slab%d' % (phase % 2)
    regions = {r['region']: dict(map(int, x.split(':')) for x in r['resident'].split(','))
               for r in m.fields('damonfs/truth/%d' % pid)}
    inside = sum(regions[r].get(0, 0) for r in ('index', slab))
    return inside / sum(sum(regions[r].values()) for r in ('index', slab))


def tiering(damonfs):
    with Mount(damonfs, os.path.join(REPO, 'scenarios', 'tiering-seed.yaml')) as m:
        nodes = {int(n['node']): n for n in m.fields('damonfs/nodes')}
        pid = m.pid('kvstore')
        m.write('admin/kdamonds/nr_kdamonds', 2)
        tier(m, 0, nodes[0], 'migrate_cold', 1, 'node_mem_free_bp', 50, False)
        tier(m, 1, nodes[1], 'migrate_hot', 0, 'node_mem_used_bp', 9970, True)
        wall, cpu, ends = 0.0, 0.0, []
        for phase in range(4):
            w, c = m.advance('300s')
            wall, cpu = wall + w, cpu + c
            dram = next(n for n in m.fields('damonfs/nodes') if n['node'] == '0')
            used = 1 - int(dram['free']) / int(dram['total'])
            ends.append((used, hot_in_dram(m, pid, phase)))
        for k in range(2):
            m.write('admin/kdamonds/%d/state' % k, 'off')
        return 1200.0 / wall, 1200.0 / cpu, wall, ends


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--damonfs', default=os.environ.get('DAMONFS') or
                    os.path.join(REPO, 'build', 'fs', 'damonfs'))
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--baseline', help='another damonfs binary to compare the single kdamond with')
    args = ap.parse_args()
    with tempfile.NamedTemporaryFile('w', suffix='.yaml') as f:
        f.write(ONE_TIB)
        f.flush()
        runs, base = [], []
        for i in range(args.repeat):
            runs.append(single(args.damonfs, f.name, digest=i == 0))
            if args.baseline:
                base.append(single(args.baseline, f.name, digest=i == 0))
    best = max(r[0] for r in runs)
    print('single kdamond, 1000 regions over 1 TiB, stat scheme: %s x wall (best %.0f x); '
          'per CPU second of the daemon: %s x; nr_tried %d; tried regions %s'
          % (' '.join('%.0f' % r[0] for r in runs), best, ' '.join('%.0f' % r[1] for r in runs),
             runs[0][2], runs[0][3]))
    if base:
        print('baseline %s: %s x wall (best %.0f x), per CPU second %s x; measured / baseline: '
              '%.2f wall (best of each), %.2f per CPU second (best of each); same answers: %s'
              % (args.baseline, ' '.join('%.0f' % r[0] for r in base), max(r[0] for r in base),
                 ' '.join('%.0f' % r[1] for r in base), best / max(r[0] for r in base),
                 max(r[1] for r in runs) / max(r[1] for r in base),
                 'yes' if base[0][2:] == runs[0][2:] else 'NO (nr_tried %d, tried regions %s)' % base[0][2:]))
    ratio, cpu_ratio, wall, ends = tiering(args.damonfs)
    print('tiering seed, 2 paddr kdamonds, 20 simulated minutes: %.0f x wall (%.1f s), '
          '%.0f x per CPU second' % (ratio, wall, cpu_ratio))
    print('  phase ends, DRAM used / hot set in DRAM: ' +
          ', '.join('%.2f%% / %.1f%%' % (100 * u, 100 * h) for u, h in ends))
    # Wall time is what a user waits; on a busy machine the CPU figure shows
    # what the engine itself reaches (the kdamond never sleeps here).
    print('load average while measuring: %s' % open('/proc/loadavg').read().split()[0])
    ok = best >= AIM
    print('%-58s %10.1f  (aim >= %g) %s' % ('simulated s per wall s, single kdamond', best, AIM,
                                            'ok' if ok else 'MISSED'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
