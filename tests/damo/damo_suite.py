#!/usr/bin/env python3
"""Unmodified damo against damonfs, through scripts/damonfs-run.

    DAMO=/path/to/damo damo_suite.py --damonfs BUILD/fs/damonfs
                                     [--kernel-recording expected-linux-6.18.json]

Exits 77 (ctest's skip) with the reason when DAMO is not set or this user
cannot run the launcher at all. Runs:

* the launcher's own checks: the host's DAMON sysfs and mounts are left as
  they were, it works on hosts without /sys/kernel/mm/damon or without
  tracefs, and tells an unprivileged user what is missing;
* inside_tests.py (damo start/report/tune/record/validate/heatmap/stop,
  feature detection) on a fresh mount of each ABI profile, as root and as an
  unprivileged user through a user namespace;
* damo's own tests/start_stop and tests/record (test.sh of a copy of
  $DAMO's checkout, unmodified) through the launcher inside
  `unshare -pf --mount-proc`, as root;
* with --kernel-recording (or $DAMONFS_KERNEL_RECORDING): damo's feature
  detection on a replica of the recorded real 6.18 tree against damonfs'
  6.18 profile.

As root the unprivileged run uses uid 65534 and opens /dev/fuse to everyone
for its duration (the mode is restored afterwards).
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
LAUNCHER = os.path.join(SOURCE, 'scripts', 'damonfs-run')
INSIDE = os.path.join(HERE, 'inside_tests.py')
HOST_ADMIN = '/sys/kernel/mm/damon/admin'
NOBODY = 65534
SKIP = 77

DAMO = os.environ.get('DAMO', '')
args = None  # the command line, set in main()


def launcher(*command, options=(), user=None, timeout=900, env=None):
    """Runs COMMAND through damonfs-run, as `user` (a uid) if given."""
    cmd = [LAUNCHER, '--damonfs', args.damonfs, *options, '--', *command]
    if user is not None:
        cmd = ['setpriv', '--reuid=%d' % user, '--regid=%d' % user, '--clear-groups', *cmd]
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=full_env, cwd='/', stdin=subprocess.DEVNULL)


def output(p):
    return 'exit %d\nstdout:\n%s\nstderr:\n%s' % (p.returncode, p.stdout[-6000:], p.stderr[-6000:])


def is_root():
    return os.geteuid() == 0


def host_admin_state():
    """The host's DAMON sysfs as it stands: every path, and (as root) the
    content of its count and state files. Reads only."""
    if not os.path.isdir(HOST_ADMIN):
        return None
    state = {}
    for dirpath, dirnames, filenames in os.walk(HOST_ADMIN):
        dirnames.sort()
        rel = os.path.relpath(dirpath, HOST_ADMIN)
        state[rel + '/'] = None
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            content = None
            if is_root() and (name.startswith('nr_') or name in ('state', 'pid', 'operations')):
                with open(path) as f:
                    content = f.read()
            state[os.path.join(rel, name)] = content
    return state


def fs_type(path):
    return subprocess.run(['stat', '-f', '-c', '%T', path], capture_output=True,
                          text=True).stdout.strip()


@contextlib.contextmanager
def fuse_open_to_everyone():
    """/dev/fuse readable and writable by every user while inside."""
    mode = os.stat('/dev/fuse').st_mode & 0o7777
    os.chmod('/dev/fuse', 0o666)
    try:
        yield
    finally:
        os.chmod('/dev/fuse', mode)


def build_kernel_replica(recording, root):
    """A static copy of a recorded DAMON sysfs tree (probe.py recording with
    tree_full and defaults_full): every directory and file, with the default
    contents, one of each child, and nr_kdamonds 0 so damo's feature probe
    stages into it as into an idle kernel."""
    with open(recording) as f:
        cases = json.load(f)['cases']
    admin = os.path.join(root, 'admin')
    contents = {s[1]: s[3] for s in cases['defaults_full']['steps'] if s[0] == 'read'}
    counts = {s[1]: s[2] + '\n' for s in cases['tree_full']['steps'] if s[0] == 'write'}
    for op, path, _, outcome in cases['tree_full']['steps']:
        if op != 'tree':
            continue
        target = os.path.normpath(os.path.join(admin, path))
        if outcome.startswith('d '):
            os.makedirs(target, exist_ok=True)
        else:
            with open(target, 'w') as f:
                f.write(counts.get(path, contents.get(path, '')))
    with open(os.path.join(admin, 'kdamonds', 'nr_kdamonds'), 'w') as f:
        f.write('0\n')


def sysinfo_features(text):
    """(first line of damo report sysinfo, set of available features)."""
    lines = text.splitlines()
    avail = lines[lines.index('available DAMON features:') + 1:lines.index('unavailable DAMON features:')]
    return ({l for l in lines if l.startswith('DAMON version:')},
            {l.split()[1] for l in avail if l.startswith('- ')})


class LauncherTest(unittest.TestCase):
    def test_help(self):
        p = subprocess.run([LAUNCHER, '--help'], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, output(p))
        self.assertIn('usage: damonfs-run', p.stdout)
        self.assertIn('/sys/kernel/mm/damon/admin', p.stdout)

    def test_host_left_untouched(self):
        # Inside: the admin path is the mount, which a write changes. The
        # write happens only once the path is seen to be a FUSE mount: the
        # host's DAMON is never written.
        script = ('echo "$DAMONFS_MOUNT"; t=$(stat -f -c %T /sys/kernel/mm/damon/admin); echo $t;'
                  'case $t in fuse*) ;; *) exit 3;; esac;'
                  'echo 1 > /sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds;'
                  'cat /sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds; ls /sys/kernel/mm/damon/admin/kdamonds')
        before = host_admin_state()
        p = launcher('sh', '-c', script)
        after = host_admin_state()
        self.assertEqual(p.returncode, 0, output(p))
        mount, inside_type, count, listing = p.stdout.split('\n', 3)
        self.assertIn(inside_type, ('fuse', 'fuseblk'), p.stdout)
        self.assertEqual((count, listing.split()), ('1', ['0', 'nr_kdamonds']))
        self.assertEqual(before, after, 'the host DAMON sysfs changed')
        if before is not None:
            self.assertEqual(fs_type(HOST_ADMIN), 'sysfs')
        self.assertFalse(os.path.exists(mount), 'the mount point %s is left behind' % mount)
        with open('/proc/self/mountinfo') as f:
            self.assertNotIn(os.path.dirname(mount), f.read())

    def test_terminated_launcher_ends_command_and_cleans_up(self):
        script = 'trap "exit 9" TERM; echo "$DAMONFS_MOUNT"; sleep 60 & wait'
        p = subprocess.Popen([LAUNCHER, '--damonfs', args.damonfs, '--', 'sh', '-c', script],
                             stdout=subprocess.PIPE, text=True, cwd='/')
        mount = p.stdout.readline().strip()
        p.terminate()
        self.assertEqual(p.wait(timeout=60), 9)
        self.assertTrue(mount.startswith('/'), mount)
        self.assertFalse(os.path.exists(os.path.dirname(mount)), 'the launcher left %s' % mount)

    @unittest.skipUnless(is_root(), 'needs root to hide host directories')
    def test_host_without_damon_sysfs(self):
        # /sys/kernel/mm as on a kernel without DAMON: the launcher must
        # create the admin path and keep the rest of /sys/kernel/mm.
        hide = ('mount -t tmpfs nodamon /sys/kernel/mm && mkdir /sys/kernel/mm/ksm '
                '&& echo kept > /sys/kernel/mm/marker && exec "$@"')
        inside = ('cat /sys/kernel/mm/marker; echo $(ls /sys/kernel/mm);'
                  'stat -f -c %T /sys/kernel/mm/damon/admin; ls /sys/module >/dev/null && '
                  '"$DAMO" report sysinfo')
        cmd = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', hide, 'hide',
               LAUNCHER, '--damonfs', args.damonfs, '--', 'sh', '-c', inside]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd='/')
        self.assertEqual(p.returncode, 0, output(p))
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], 'kept')
        self.assertEqual(lines[1], 'damon ksm marker')
        self.assertIn(lines[2], ('fuse', 'fuseblk'))
        self.assertIn('- interface/damon_sysfs', p.stdout)

    @unittest.skipUnless(is_root(), 'needs root to unmount tracefs')
    def test_host_without_tracefs(self):
        hide = ('while grep -q " tracefs " /proc/mounts; do '
                'umount "$(awk \'$3 == "tracefs" {print $2; exit}\' /proc/mounts)" || exit 1; done; exec "$@"')
        inside = ('awk \'$3 == "tracefs" {print $2; exit}\' /proc/mounts;'
                  'grep -c "^damon:" "$(awk \'$3 == "tracefs" {print $2; exit}\' /proc/mounts)/available_events";'
                  '"$DAMO" report sysinfo --print fs_info')
        cmd = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', hide, 'hide',
               LAUNCHER, '--damonfs', args.damonfs, '--', 'sh', '-c', inside]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd='/')
        self.assertEqual(p.returncode, 0, output(p))
        tracefs, damon_events, *rest = p.stdout.splitlines()
        self.assertTrue(tracefs, p.stdout)
        # damonfs's own events, the latest profile's six, never the host's.
        self.assertEqual(damon_events, '6')
        self.assertIn('tracefs: %s' % tracefs, rest)

    @unittest.skipUnless(is_root(), 'needs root to run as another user')
    def test_unprivileged_user_is_told_what_is_missing(self):
        mode = os.stat('/dev/fuse').st_mode
        if mode & 0o006 == 0o006:
            self.skipTest('/dev/fuse is open to every user here')
        p = launcher('true', user=NOBODY)
        self.assertEqual(p.returncode, 125, output(p))
        self.assertIn('cannot run as', p.stderr)
        self.assertIn('/dev/fuse is not readable and writable by', p.stderr)


def damo_checkout():
    """The damo checkout $DAMO belongs to: the first directory holding a
    tests/ directory from $DAMO's own (damo's top-level `damo` may be a
    symbolic link into src/), or None."""
    for start in (os.path.abspath(DAMO), os.path.realpath(DAMO)):
        d = os.path.dirname(start)
        while d != os.path.dirname(d):
            if os.path.isdir(os.path.join(d, 'tests')) and os.path.exists(os.path.join(d, 'damo')):
                return d
            d = os.path.dirname(d)
    return None


@contextlib.contextmanager
def damo_checkout_copy():
    """A private copy of the damo checkout $DAMO belongs to (damo's own
    tests write their records beside themselves), and a PATH for them: they
    call `sudo`, which a root without sudo gets as a pass-through."""
    with tempfile.TemporaryDirectory(prefix='damo-own-tests.') as tmp:
        copy = os.path.join(tmp, 'damo')
        shutil.copytree(damo_checkout(), copy, symlinks=True,
                        ignore=shutil.ignore_patterns('.git'))
        path = os.environ.get('PATH', '')
        if shutil.which('sudo') is None and is_root():
            shim = os.path.join(tmp, 'bin')
            os.mkdir(shim)
            with open(os.path.join(shim, 'sudo'), 'w') as f:
                f.write('#!/bin/sh\nexec "$@"\n')
            os.chmod(os.path.join(shim, 'sudo'), 0o755)
            path = shim + os.pathsep + path
        yield copy, path


class DamoOwnTestsTest(unittest.TestCase):
    """damo's own tests (tests/<name>/test.sh of its checkout, unmodified)
    through the launcher, in a private PID namespace of their own so that
    only damonfs's kdamonds answer pgrep."""

    def run_damo_test(self, name):
        if not is_root():
            self.skipTest("damo's tests run damo through sudo: needs root")
        checkout = damo_checkout()
        if checkout is None or not os.path.exists(os.path.join(checkout, 'tests', name, 'test.sh')):
            self.skipTest('no damo checkout with tests/%s/test.sh holds %s' % (name, DAMO))
        with damo_checkout_copy() as (copy, path):
            cmd = ['unshare', '-pf', '--mount-proc', LAUNCHER, '--damonfs', args.damonfs, '--',
                   'bash', os.path.join(copy, 'tests', name, 'test.sh')]
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=2900, cwd='/',
                               stdin=subprocess.DEVNULL, env=dict(os.environ, PATH=path))
        print('--- damo tests/%s/test.sh:\n%s' % (name, p.stdout[-3000:]))
        self.assertEqual(p.returncode, 0, output(p))
        self.assertNotIn('FAIL', p.stdout, output(p))
        # tests/unit says PASS per file, the others PASS once for the whole.
        self.assertRegex(p.stdout, r'(^|\n)PASS %s[ \n]' % name, output(p))

    def test_start_stop(self):
        self.run_damo_test('start_stop')

    def test_record(self):
        self.run_damo_test('record')

    def test_schemes(self):
        self.run_damo_test('schemes')

    def test_args_damon(self):
        self.run_damo_test('args_damon')

    def test_unit(self):
        self.run_damo_test('unit')

    def test_report(self):
        checkout = damo_checkout()
        if checkout and not os.path.exists(os.path.join(checkout, 'tests', 'report', 'expects', 'report-heats')):
            self.skipTest('the damo checkout lacks tests/report/expects/report-heats, which its test compares '
                          'with (a stored snapshot of the repository can leave out its largest files)')
        self.run_damo_test('report')


class DamoTest(unittest.TestCase):
    def run_inside(self, abi, user=None):
        p = launcher(sys.executable if user is None else 'python3', INSIDE,
                     options=('--abi', abi), user=user,
                     env={'DAMO': DAMO, 'DAMONFS_SUITE_ABI': abi})
        print('--- inside_tests.py, --abi %s%s:\n%s' % (
            abi, '' if user is None else ', uid %d' % user, p.stderr[-3000:]))
        if p.returncode == 125 and 'cannot run as' in p.stderr:
            self.skipTest(p.stderr.strip())
        self.assertEqual(p.returncode, 0, output(p))
        self.assertRegex(p.stderr, r'\nOK\n')

    def test_damo_on_latest(self):
        self.run_inside('latest')

    def test_damo_on_6_18(self):
        self.run_inside('6.18')

    def test_damo_unprivileged(self):
        if not is_root():
            self.skipTest('this suite runs unprivileged already')
        with fuse_open_to_everyone():
            self.run_inside('latest', user=NOBODY)

    def test_sysinfo_matches_kernel_recording(self):
        recording = args.kernel_recording or os.environ.get('DAMONFS_KERNEL_RECORDING')
        if not recording:
            self.skipTest('no kernel recording (--kernel-recording, $DAMONFS_KERNEL_RECORDING)')
        sysinfo = (DAMO, 'report', 'sysinfo', '--print', 'all')
        with tempfile.TemporaryDirectory() as replica:
            build_kernel_replica(recording, replica)
            kernel = launcher(*sysinfo, options=('--mount', replica))
        ours = launcher(*sysinfo, options=('--abi', '6.18'))
        self.assertEqual(kernel.returncode, 0, output(kernel))
        self.assertEqual(ours.returncode, 0, output(ours))
        kernel_version, kernel_features = sysinfo_features(kernel.stdout)
        our_version, our_features = sysinfo_features(ours.stdout)
        self.assertEqual(our_version, kernel_version)
        # The recorded kernel had paddr only; damonfs serves all three.
        self.assertEqual(our_features - kernel_features, {'sysfs/vaddr', 'sysfs/fvaddr'})
        self.assertEqual(kernel_features - our_features, set())


def main():
    global args
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--damonfs', required=True, help='the damonfs binary')
    parser.add_argument('--kernel-recording', help='expected-linux-6.18.json of the conformance probe')
    args, rest = parser.parse_known_args()
    args.damonfs = os.path.abspath(args.damonfs)
    if not DAMO:
        print('SKIP: set DAMO to an (unmodified) damo executable to run the damo suite')
        return SKIP
    if not os.access(DAMO, os.X_OK):
        print('SKIP: DAMO=%s is not executable' % DAMO)
        return SKIP
    if not is_root():
        p = launcher('true')
        if p.returncode == 125:
            print('SKIP: %s' % p.stderr.strip())
            return SKIP
    # ctest ends a test that runs too long with SIGTERM: restore /dev/fuse.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    if not result.wasSuccessful():
        return 1
    # Every test skipped (one ctest runs one of them): ctest says so too.
    return SKIP if result.testsRun and len(result.skipped) == result.testsRun else 0


if __name__ == '__main__':
    sys.exit(main())
