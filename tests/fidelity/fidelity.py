#!/usr/bin/env python3
"""Does DAMON on damonfs's simulated machine see what DAMON on a real kernel
sees? (README "Fidelity")

  fidelity.py kernel-record        masim configs run by masim_runner in a vmtest
                                   guest (Linux 6.18): recordings/NAME.kernel.data
                                   (+ .markers: where and when the workload was;
                                   .log: its access rates and run times)
  fidelity.py sim-record NAME      the same config on damonfs, recorded by damo:
                                   OUT/NAME.sim.data (+ .layout)
  fidelity.py replay-record NAME   the kernel recording of NAME replayed on
                                   damonfs, recorded again by damo
  fidelity.py compare [NAME...]    the table: hot-set Jaccard, wss error,
                                   regions; exit 1 when a bound is missed
  fidelity.py kernels DIR_A DIR_B [NAME...]
                                   two guest recordings (kernel-record with
                                   FIDELITY_RECORDINGS=DIR) against each other
  fidelity.py heatmaps NAME        damo heatmaps of DAMON's record of the
                                   simulated run and of its truth
                                   (docs/images/NAME-{damon,truth}.png)
  fidelity.py test                 all of it into a temporary directory, then
                                   compare (ctest fidelity)

Environment: DAMO (damo checkout or its `damo`), DAMONFS_BUILD (build tree,
default ./build), MASIM (a masim checkout: its configs/), VMTEST (vmtest's
run-in-vm.sh), MASIM_RUNNER (default: the build tree's).
`test` exits 77 saying which is missing (or qemu). Recordings are read from
and written to tests/fidelity/recordings (FIDELITY_RECORDINGS for the
guest's, FIDELITY_OUT for damonfs's).

Both sides run the same masim configuration with the same DAMON parameters
(vaddr, sample 5 ms, aggregation 100 ms, update 1 s, 10 to 1000 regions),
the simulator's at the longer intervals the guest's kdamond actually kept
(achieved_intervals()), the replay's at the guest's own (replay_record()).
damo records damonfs in its default mode, from the damon_aggregated
tracepoint as in the guest, on a manual clock (damonfs_record()): the
damonfs side does not depend on the host's load, and is the same on every
run.
The workload is tests/fidelity/masim_runner.c (masim's access loop, timed
by CLOCK_MONOTONIC, marking its regions and phases in the trace). The
simulated masim makes as many accesses per second as the runner did in the
guest (its log: per phase and access line, so masim's bursts last as long
on both sides), with THP as the guest had it, so the comparison is about
DAMON and the memory model, not about a CPU speed. Windows are paired by
time from the
workload's start: the runner's first phase marker in the guest, the
simulated process's start on damonfs.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import damo_records  # noqa: E402
import metrics  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(HERE))
RECORDINGS = os.path.join(HERE, 'recordings')
CONFIGS = {'stairs': 'masim:configs/stairs.cfg', 'zigzag': 'masim:configs/zigzag.cfg',
           'hotcold': os.path.join(HERE, 'configs', 'hotcold.cfg')}
INTERVALS = (5000, 100000, 1000000)
# Acceptance bounds (issue 17).
FIDELITY_JACCARD, FIDELITY_WSS = 0.7, 0.20
REPLAY_JACCARD, REPLAY_WSS = 0.8, 0.15


def config_path(name):
    path = CONFIGS[name]
    if path.startswith('masim:'):
        path = os.path.join(os.environ.get('MASIM', ''), path[len('masim:'):])
    return path


def masim_runs(log):
    """[(phase, accesses per ms, ms run)] from masim's output."""
    return [(m.group(1), int(m.group(2).replace(',', '')), int(m.group(3)))
            for m in re.finditer(r'^(.*):\s+([\d,]+) accesses/msec, (\d+) msecs run$', log, re.M)]


def mean_rate(log):
    runs = masim_runs(log)
    total_ms = sum(ms for _, _, ms in runs)
    return sum(rate * ms for _, rate, ms in runs) / total_ms * 1000, total_ms


def phase_line_rates(log):
    """Per phase (in order), {region: accesses per second while its bursts
    ran} from masim_runner's "  line REGION: N accesses/msec, T msecs"
    lines (regions it did not access left out)."""
    phases = []
    for line in log.splitlines():
        if re.match(r'^.*:\s+[\d,]+ accesses/msec, \d+ msecs run$', line) and not line.startswith('  line '):
            phases.append({})
            continue
        m = re.match(r'^  line (\S+): (\d+) accesses/msec, (\d+) msecs$', line)
        if m and phases and int(m.group(2)) and int(m.group(3)):
            phases[-1][m.group(1)] = int(m.group(2)) * 1000
    return phases


def guest_thp(log):
    """Whether the guest's THP mode was 'always' (guest_record.sh's line)."""
    return bool(re.search(r'^thp: .*\[always\]', log, re.M))


# --- the guest -------------------------------------------------------------

def runner_bin():
    build = os.environ.get('DAMONFS_BUILD', os.path.join(SOURCE, 'build'))
    return os.environ.get('MASIM_RUNNER', os.path.join(build, 'tests', 'masim_runner'))


def kernel_record():
    vmtest = os.environ.get('VMTEST')
    if not vmtest or not os.environ.get('MASIM'):
        sys.exit('kernel-record needs MASIM (masim checkout) and VMTEST (run-in-vm.sh)')
    work = tempfile.mkdtemp(prefix='fidelity-vm-')
    try:
        cfgs = os.path.join(work, 'cfg')
        out = os.path.join(work, 'out')
        os.makedirs(cfgs)
        os.makedirs(out)
        for name in CONFIGS:
            shutil.copy(config_path(name), os.path.join(cfgs, name + '.cfg'))
        subprocess.run([vmtest, '--kernel-suite', 'trixie-backports',
                        '--kernel-pkg', 'linux-image-6.18.15+deb13-amd64', '--mem', '1024,512',
                        '--timeout', '900', '--copy', runner_bin() + ':/masim_runner', '--copy', cfgs + ':/cfg',
                        '--share', out + ':/out', '--', os.path.join(HERE, 'guest_record.sh'),
                        '/masim_runner', '/out'] + ['/cfg/%s.cfg' % n for n in CONFIGS], check=True)
        for name in CONFIGS:
            import_kernel_trace(name, out)
    finally:
        shutil.rmtree(work)


def import_kernel_trace(name, out):
    """The guest's trace as a damo record (NAME.kernel.data), the runner's
    markers (NAME.kernel.markers: time in ns, message) and output (.log)."""
    with open(os.path.join(out, name + '.trace')) as f:
        text = f.read()
    damo_records.write(damo_records.from_trace(text, *INTERVALS), os.path.join(RECORDINGS, name + '.kernel.data'))
    with open(os.path.join(RECORDINGS, name + '.kernel.markers'), 'w') as f:
        for t, message in damo_records.markers(text):
            f.write('%d %s\n' % (t, message))
    shutil.copy(os.path.join(out, name + '.log'), os.path.join(RECORDINGS, name + '.kernel.log'))


def kernel_side(name):
    """Snapshots, layout and workload start (ns) of the kernel recording:
    the runner's regions and the start of its first phase, from its
    markers."""
    base = os.path.join(RECORDINGS, name + '.kernel.')
    snaps = damo_records.snapshots(damo_records.read(base + 'data'))
    ranges, start = [], None
    with open(base + 'markers') as f:
        for line in f:
            t, message = line.split(' ', 1)
            fields = message.split()
            if fields[0] == 'region':  # in the configuration's order
                ranges.append((int(fields[2], 0), int(fields[3], 0)))
            elif fields[0] == 'phase' and start is None:
                start = int(t)
    return snaps, metrics.Layout(ranges), start


def workload_regions(name):
    """The workload's region names in the configuration's order (the
    runner marked them in that order)."""
    with open(os.path.join(RECORDINGS, name + '.kernel.markers')) as f:
        return [line.split()[2] for line in f if line.split()[1] == 'region']


# --- damonfs -----------------------------------------------------------------

def damo_bin():
    damo = os.environ.get('DAMO')
    if not damo:
        return None
    return os.path.join(damo, 'damo') if os.path.isdir(damo) else damo


def achieved_intervals(name):
    """The intervals the guest's kdamond kept while recording `name`:
    (sample, aggregation, update) in microseconds. Under TCG its
    aggregations took longer than 100 ms of the guest's clock (109 to 370 ms
    in the runs so far, the busier the host the longer), still of 20
    samples, so each sample watched its page for the aggregation's length
    over 20. The simulator's DAMON is given these intervals (the replay's
    is not: replay_record()): a window's chance to catch a burst of
    accesses (and so its working set) grows with its length, and the two
    sides have to look through windows of one length to be compared."""
    snaps = damo_records.snapshots(damo_records.read(os.path.join(RECORDINGS, name + '.kernel.data')))
    aggr_us = (snaps[-1][1] - snaps[0][0]) / len(snaps) / 1000
    samples = INTERVALS[1] // INTERVALS[0]
    return int(aggr_us / samples), int(aggr_us / samples) * samples, INTERVALS[2]


# Under a simulated clock damonfs's kdamonds (and so damonfs/trace, which
# damo's record reads through damonfs-perf) count from 1 s at the mount's
# start, when the scenario's processes start (damonfs(8), damonfs/trace).
SIM_TRACE_EPOCH_NS = 1_000_000_000


def damonfs_record(scenario, process, seconds, out, intervals):
    """Mounts damonfs with `scenario` on a manual clock and records
    `process` with DAMON's `intervals` (sample, aggregation, update in us)
    by damo's default mode (the damon_aggregated tracepoint, every
    aggregation, as the guest's recording was made), while the script moves
    simulated time on by one aggregation at a time for `seconds`. The run
    does not depend on the host's load, and gives the same record every
    time. Writes the record (times from the processes' start) to
    out + '.data' and the process's mappings to out + '.layout'."""
    build = os.environ.get('DAMONFS_BUILD', os.path.join(SOURCE, 'build'))
    script = r'''
set -e
admin=/sys/kernel/mm/damon/admin
pid=$(pgrep -P "$DAMONFS_PID" -x "$1")
cat "$DAMONFS_MOUNT/damonfs/truth/$pid" > "$2.truth"
"$DAMO" record --monitoring_intervals $3 -o "$2.raw" "$pid" > "$2.damo.log" 2>&1 &
damo=$!
until [ "$(cat $admin/kdamonds/0/state 2>/dev/null)" = on ]; do sleep 0.05; done
# Time stands still until it is moved: give perf a moment to start listening.
sleep 1
steps=$4
while [ "$steps" -gt 0 ]; do
  echo "$5us" > "$DAMONFS_MOUNT/damonfs/clock"
  steps=$((steps - 1))
done
kill -INT "$damo" 2>/dev/null || true
wait "$damo" || true
'''
    env = dict(os.environ, DAMO=damo_bin())
    steps = int(seconds * 1e6 / intervals[1]) + 1
    subprocess.run([os.path.join(SOURCE, 'scripts', 'damonfs-run'), '--damonfs',
                    os.path.join(build, 'fs', 'damonfs'), '--clock', 'manual', '--scenario', scenario, '--',
                    'sh', '-c', script, 'record', process, out,
                    '%d %d %d' % intervals, str(steps), str(intervals[1])], check=True, env=env)
    records = damo_records.read(out + '.raw')
    for rec in records:
        for s in rec['snapshots']:
            for key in ('start_time', 'end_time'):
                s[key] = '%d' % (damo_records.number(s[key]) - SIM_TRACE_EPOCH_NS)
    damo_records.write(records, out + '.data')
    ranges = {}
    with open(out + '.truth') as f:
        for line in f:
            fields = line.split()
            if fields and fields[0] == 'region':
                kv = dict(zip(fields[2::2], fields[3::2]))
                ranges[fields[1]] = (int(kv['start'], 0), int(kv['end'], 0))
    with open(out + '.layout', 'w') as f:
        json.dump(ranges, f)
    # damo's record leaves its profile, footprints and VMAs beside the raw file.
    for path in glob.glob(glob.escape(out) + '.raw*') + [out + '.truth', out + '.damo.log']:
        if os.path.exists(path):
            os.remove(path)


def sim_record(name, outdir):
    """The configuration on damonfs as it ran in the guest: each phase's
    access lines at the rates the runner measured for them (masim's bursts
    last as long as they did there), and THP as the guest had it."""
    with open(os.path.join(RECORDINGS, name + '.kernel.log')) as f:
        log = f.read()
    rate, total_ms = mean_rate(log)
    scenario = os.path.join(outdir, name + '.sim.yaml')
    with open(scenario, 'w') as f:
        # The runner is a static program that touches a few pages besides
        # its regions: the guest's DAMON finds its text and heap idle.
        f.write('name: %s\nprocesses:\n  - name: %s\n    masim: %s\n    access_rate: %d\n    thp: %s\n'
                '    program_accesses: false\n'
                % (name, name, os.path.abspath(config_path(name)), rate, 'true' if guest_thp(log) else 'false'))
        rates = phase_line_rates(log)
        if rates:
            f.write('    access_rates:\n')
            for phase in rates:
                f.write('      - {%s}\n' % ', '.join('%s: %d' % kv for kv in sorted(phase.items())))
    damonfs_record(scenario, name, total_ms / 1000, os.path.join(outdir, name + '.sim'), achieved_intervals(name))


def sim_side(name, outdir):
    base = os.path.join(outdir, name + '.sim.')
    snaps = damo_records.snapshots(damo_records.read(base + 'data'))
    with open(base + 'layout') as f:
        ranges = json.load(f)
    return snaps, metrics.Layout([tuple(ranges[n]) for n in workload_regions(name)]), 0


def replay_record(name, outdir):
    """The kernel recording of `name` replayed on damonfs (looping: the
    recording stops before the first repetition), recorded by damo with the
    intervals the guest's damo was given. Not the longer ones the guest's
    kdamond kept, as the simulator's runs are (achieved_intervals()): the
    replay already plays each recorded aggregation over the time it took,
    and the replay's windows have to be as long as the guest's around a
    phase change (100 ms there) for the two to see it alike; at the mean
    achieved length (170 to 220 ms) every change spreads over windows that
    hold both phases, and the working set's upper percentiles rise (stairs'
    p75 +18.8 % against +3.5 % on the guest run of 02:15)."""
    scenario = os.path.join(outdir, name + '.replay.yaml')
    with open(scenario, 'w') as f:
        f.write('name: replay-%s\nreplay:\n  file: %s\n  name: %s\n'
                % (name, os.path.join(RECORDINGS, name + '.kernel.data'), name))
    snaps = damo_records.snapshots(damo_records.read(os.path.join(RECORDINGS, name + '.kernel.data')))
    damonfs_record(scenario, name, (snaps[-1][1] - snaps[0][0]) / 1e9, os.path.join(outdir, name + '.replay'),
                   INTERVALS)


def replay_side(name, outdir):
    """The replay's snapshots and the kernel recording's own layout: the
    replay's segments are named after their addresses in the recording."""
    base = os.path.join(outdir, name + '.replay.')
    snaps = damo_records.snapshots(damo_records.read(base + 'data'))
    with open(base + 'layout') as f:
        ranges = json.load(f)
    kernel = sorted((int(n, 16), r) for n, r in ranges.items() if n.startswith('0x'))
    return snaps, metrics.Layout([r for _, r in kernel]), 0


def kernel_as_replayed(name, outdir):
    """The kernel recording in the replay's workload coordinates: its
    segments in address order."""
    snaps = damo_records.snapshots(damo_records.read(os.path.join(RECORDINGS, name + '.kernel.data')))
    with open(os.path.join(outdir, name + '.replay.layout')) as f:
        ranges = json.load(f)
    segs = sorted(int(n, 16) for n in ranges if n.startswith('0x'))
    sizes = {int(n, 16): r[1] - r[0] for n, r in ranges.items() if n.startswith('0x')}
    return snaps, metrics.Layout([(s, s + sizes[s]) for s in segs]), snaps[0][0]


def heatmaps(name, outdir, images):
    """damo's heatmaps of the simulated run of `name`: DAMON's record
    (NAME.sim.data) and the truth of the same scenario (damonfs-truth), over
    the workload's mappings, as images/NAME-damon.png and NAME-truth.png."""
    build = os.environ.get('DAMONFS_BUILD', os.path.join(SOURCE, 'build'))
    base = os.path.join(outdir, name + '.sim.')
    snaps = damo_records.snapshots(damo_records.read(base + 'data'))
    truth = base + 'truth.data'
    seconds = (snaps[-1][1] - snaps[0][0]) / 1e9
    subprocess.run([os.path.join(build, 'fs', 'damonfs-truth'), '--duration', '%dms' % (seconds * 1000),
                    '--regions', 'scenario', base + 'yaml', truth], check=True)
    # The truth starts with the processes; DAMON's record when damo took
    # its first snapshot: the same span of the run for both.
    first = snaps[0][0]
    shifted = damo_records.read(truth)
    for rec in shifted:
        rec['snapshots'] = [s for s in rec['snapshots'] if damo_records.number(s['start_time']) >= first]
    damo_records.write(shifted, truth)
    with open(base + 'layout') as f:
        ranges = [r for n, r in json.load(f).items() if not n.startswith('[')]
    span = [str(min(s for s, _ in ranges)), str(max(e for _, e in ranges))]
    for data, what in ((base + 'data', 'damon'), (truth, 'truth')):
        subprocess.run([damo_bin(), 'report', 'heatmap', '--input', data, '--address_range'] + span +
                       ['--resol', '200', '300', '--output', os.path.join(images, '%s-%s.png' % (name, what))],
                       check=True)


# --- the table ---------------------------------------------------------------

def row(name, other, figures, jaccard_bound, wss_bound):
    """Prints the table row; False when a bound is missed."""
    errs = figures['wss_error']
    jaccard_ok = figures['jaccard_median'] >= jaccard_bound
    wss_ok = all(abs(e) <= wss_bound for e in errs.values())
    verdict = 'met' if jaccard_ok and wss_ok else 'MISSED'
    wss = ' / '.join('%+.1f %%' % (100 * errs[p]) for p in (25, 50, 75))
    mib = ' / '.join('%.1f' % (figures['wss_a'][p] / 2**20) for p in (25, 50, 75))
    mib_b = ' / '.join('%.1f' % (figures['wss_b'][p] / 2**20) for p in (25, 50, 75))
    print('| %s: kernel vs %s | %.2f (%d windows) | %s MiB vs %s MiB: %s | %g vs %g | %s |' % (
        name, 'simulator' if other == 'simulator' else 'its replay', figures['jaccard_median'], figures['windows'],
        mib, mib_b, wss, figures['regions_a'], figures['regions_b'], verdict))
    return verdict != 'MISSED'


def kernels(dir_a, dir_b, names):
    """Two guest recordings of the same configurations against each other
    (the second measured against the first): how far the kernel repeats
    itself, the yardstick for the bounds."""
    global RECORDINGS
    print('| config | hot-set Jaccard, median | wss p25 / p50 / p75: error |')
    print('|---|---|---|')
    for name in names:
        RECORDINGS = dir_a
        a = kernel_side(name)
        RECORDINGS = dir_b
        f = metrics.compare(*a, *kernel_side(name))
        print('| %s | %.2f (%d windows) | %s |' % (name, f['jaccard_median'], f['windows'], ' / '.join(
            '%+.1f %%' % (100 * f['wss_error'][p]) for p in (25, 50, 75))))


def compare(names, outdir):
    print('| run | hot-set Jaccard, median | wss p25 / p50 / p75, kernel vs other: error | regions (median) | bounds |')
    print('|---|---|---|---|---|')
    ok = True
    for name in names:
        k = kernel_side(name)
        if os.path.exists(os.path.join(outdir, name + '.sim.data')):
            ok &= row(name, 'simulator', metrics.compare(*k, *sim_side(name, outdir)), FIDELITY_JACCARD, FIDELITY_WSS)
        if os.path.exists(os.path.join(outdir, name + '.replay.data')):
            ok &= row(name, 'replay', metrics.compare(*kernel_as_replayed(name, outdir), *replay_side(name, outdir)),
                      REPLAY_JACCARD, REPLAY_WSS)
    return ok


def main(argv):
    global RECORDINGS
    RECORDINGS = os.environ.get('FIDELITY_RECORDINGS', RECORDINGS)
    cmd = argv[1] if len(argv) > 1 else 'compare'
    outdir = os.environ.get('FIDELITY_OUT', RECORDINGS)
    names = argv[2:] or list(CONFIGS)
    if cmd == 'kernel-record':
        kernel_record()
    elif cmd == 'sim-record':
        for n in names:
            sim_record(n, outdir)
    elif cmd == 'replay-record':
        for n in names:
            replay_record(n, outdir)
    elif cmd == 'heatmaps':
        for n in names:
            heatmaps(n, outdir, os.path.join(SOURCE, 'docs', 'images'))
    elif cmd == 'compare':
        return 0 if compare(names, outdir) else 1
    elif cmd == 'kernels' and len(argv) >= 4:
        kernels(argv[2], argv[3], argv[4:] or list(CONFIGS))
    elif cmd == 'test':
        missing = [v for v in ('DAMO', 'MASIM', 'VMTEST') if not os.environ.get(v)]
        if not shutil.which('qemu-system-x86_64'):
            missing.append('qemu-system-x86_64')
        if missing:
            print('skipped: %s missing' % ', '.join(missing))
            return 77
        outdir = tempfile.mkdtemp(prefix='fidelity-')
        RECORDINGS = outdir
        try:
            kernel_record()
            for n in names:
                sim_record(n, outdir)
                replay_record(n, outdir)
            return 0 if compare(names, outdir) else 1
        finally:
            shutil.rmtree(outdir)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
