#!/usr/bin/env python3
"""damo's feature detection on every damonfs ABI profile.

    DAMO=/path/to/damo damo_matrix.py --damonfs BUILD/fs/damonfs [--profiles 6.1,latest]

For each profile from 5.18 to 7.1 and for `latest`, runs the unmodified
`damo report sysinfo --print sysfs_features` through scripts/damonfs-run
on a fresh mount of that profile and compares the sysfs/* features damo
detects with what damo's own feature table (src/_damon_features.py of the
same damo) says that kernel release has: every feature upstreamed in that
release or before, and for `latest` every feature merged upstream or in
the mm tree. (7.2 and 7.3 are left out: damo's table does not know them yet
and lists their features as mm-tree only.)

Exits 77 (ctest's skip) with the reason when DAMO is not set or the
launcher cannot run here.
"""

import argparse
import importlib.util
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'scripts', 'damonfs-run')
SKIP = 77

PROFILES = (['5.18', '5.19'] + ['6.%d' % m for m in range(20)] + ['7.0', '7.1', 'latest'])

# damo's _avail_ops() probes kernels without avail_operations (5.18) by
# writing each operations keyword and counts the ones whose write FAILS as
# available, so on a real 5.18 it reports fvaddr (rejected there) instead
# of vaddr and paddr. damonfs' 5.18 rejects fvaddr as 5.18 does; the
# difference is damo's, and is the only one allowed.
DAMO_AVAIL_OPS_BUG = {'5.18': ({'sysfs/fvaddr'}, {'sysfs/vaddr', 'sysfs/paddr'})}


def version_key(v):
    major, minor = v.split('.')
    return int(major), int(minor)


def damo_feature_table(damo):
    # DAMO is the checkout's `damo` (a link to src/damo.py) or a packaged copy.
    here = os.path.dirname(os.path.realpath(damo))
    src = next((c for c in (os.path.join(here, '_damon_features.py'),
                            os.path.join(here, 'src', '_damon_features.py')) if os.path.exists(c)),
               None)
    if src is None:
        raise RuntimeError('no _damon_features.py next to %s' % damo)
    spec = importlib.util.spec_from_file_location('_damon_features', src)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.features_list


def expected_features(table, profile):
    out = set()
    for f in table:
        if not f.name.startswith('sysfs/'):
            continue
        if profile == 'latest':
            if f.upstream_status.startswith('merged'):
                out.add(f.name)
            continue
        try:
            since = version_key(f.upstreamed_version)
        except ValueError:  # 'none', 'unknown', ...
            continue
        if since <= version_key(profile):
            out.add(f.name)
    return out


def detected_features(damonfs, damo, profile):
    cmd = [LAUNCHER, '--damonfs', damonfs, '--abi', profile, '--',
           damo, 'report', 'sysinfo', '--print', 'sysfs_features']
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd='/',
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise RuntimeError('--abi %s: exit %d\n%s\n%s' % (profile, p.returncode, p.stdout, p.stderr))
    lines = p.stdout.splitlines()
    if 'available DAMON features:' not in lines:
        raise RuntimeError('--abi %s: no feature list in\n%s' % (profile, p.stdout))
    return {l.split()[1] for l in lines if l.startswith('- sysfs/')}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--damonfs', required=True, help='the damonfs binary')
    parser.add_argument('--profiles', help='comma-separated profiles (default: all)')
    args = parser.parse_args()
    damo = os.environ.get('DAMO', '')
    if not damo:
        print('SKIP: set DAMO to an (unmodified) damo executable to run the damo matrix')
        return SKIP
    if not os.access(damo, os.X_OK):
        print('SKIP: DAMO=%s is not executable' % damo)
        return SKIP
    probe = subprocess.run([LAUNCHER, '--damonfs', os.path.abspath(args.damonfs), '--', 'true'],
                           capture_output=True, text=True, cwd='/')
    if probe.returncode == 125:
        print('SKIP: %s' % probe.stderr.strip())
        return SKIP
    table = damo_feature_table(damo)
    profiles = args.profiles.split(',') if args.profiles else PROFILES
    failures = 0
    for profile in profiles:
        expected = expected_features(table, profile)
        got = detected_features(os.path.abspath(args.damonfs), damo, profile)
        extra, missing = got - expected, expected - got
        allowed_extra, allowed_missing = DAMO_AVAIL_OPS_BUG.get(profile, (set(), set()))
        ok = extra == allowed_extra and missing == allowed_missing
        note = ''
        if extra or missing:
            note = ' (extra %s, missing %s%s)' % (
                sorted(extra), sorted(missing),
                ": damo's _avail_ops bug, see DAMO_AVAIL_OPS_BUG" if ok else '')
        print('%s --abi %s: %d sysfs features%s' % ('PASS' if ok else 'FAIL', profile, len(got), note),
              flush=True)
        failures += not ok
    print('%d passed, %d failed' % (len(profiles) - failures, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
