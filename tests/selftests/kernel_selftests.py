#!/usr/bin/env python3
"""The kernel's DAMON selftests, unmodified, against a default damonfs mount.

    DAMON_SELFTESTS=DIR kernel_selftests.py --damonfs BUILD/fs/damonfs [TEST...]

DIR is a copy of tools/testing/selftests/damon/ of a kernel tree (the
linux-mm tree for the newest). Each test runs as root in its own private
mount namespace with a fresh default mount (`--abi latest`) bound over
/sys/kernel/mm/damon/admin, through scripts/damonfs-run: every test of
the Makefile's TEST_PROGS that needs no drgn, kernel module, debugfs or
kmemleak (those have nothing to run against here), and, in a guest only,
those that clear the kernel log. Each one left out is named with why. The
C helpers the tests start (TEST_GEN_FILES) are built first, in a scratch
copy of DIR; DIR itself is never written.

With --guest (only inside a throwaway vmtest guest, DAMONFS_VM_GUEST=1,
whose busybox userland cannot run the launcher) each test gets its fresh
mount bound straight over the guest's own admin directory instead; the
guest's DAMON is the guest's to cover. Helpers already built in DIR are
used as they are (a guest has no compiler).

Prints PASS/FAIL/SKIP per test and "N passed, M failed, K skipped"; exits 0
only when none failed, 77 (ctest's skip) with the reason when DIR is not
given, has no sysfs.sh, or the launcher cannot run here.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'scripts', 'damonfs-run')
SKIP = 77
ADMIN = '/sys/kernel/mm/damon/admin'
KSFT_SKIP = 4
# What a test must not need: these have no counterpart in a FUSE mount.
NEEDS_KERNEL = re.compile(r'drgn|kmemleak|debugfs|modprobe|/sys/module')
# What a test may do only to a throwaway guest's kernel, never to the
# machine's: clear its log (sysfs_update_removed_scheme_dir.sh looks there
# for a BUG).
GUEST_ONLY = re.compile(r'dmesg -C')


def makefile_list(makefile, var):
    """Words assigned to `var` (= and +=) in a kselftest Makefile."""
    words = []
    for line in open(makefile):
        m = re.match(r'\s*%s\s*\+?=\s*(.*)' % var, line)
        if m:
            words += m.group(1).split()
    return words


def selected_tests(src, guest):
    makefile = os.path.join(src, 'Makefile')
    progs = makefile_list(makefile, 'TEST_PROGS') if os.path.exists(makefile) else sorted(
        f for f in os.listdir(src) if f.endswith('.py') and not f.startswith('_'))
    chosen, left_out = [], []
    for prog in progs:
        path = os.path.join(src, prog)
        if not os.path.exists(path):
            left_out.append((prog, 'not in %s' % src))
            continue
        text = open(path).read()
        if prog.endswith('.py'):
            # A helper module it imports counts as part of it.
            for mod in re.findall(r'^import (\w+)', text, re.M):
                helper = os.path.join(src, mod + '.py')
                if mod != '_damon_sysfs' and os.path.exists(helper):
                    text += open(helper).read()
        if NEEDS_KERNEL.search(text):
            left_out.append((prog, 'needs %s' % NEEDS_KERNEL.search(text).group(0)))
            continue
        if not guest and GUEST_ONLY.search(text):
            left_out.append((prog, 'runs `%s` on the machine\'s kernel: run it in a vmtest guest (--guest)'
                             % GUEST_ONLY.search(text).group(0)))
            continue
        chosen.append(prog)
    return chosen, left_out


def build_helpers(src, work):
    """A scratch copy of the selftests with their C helpers built."""
    shutil.copytree(src, work, dirs_exist_ok=True)
    makefile = os.path.join(src, 'Makefile')
    helpers = makefile_list(makefile, 'TEST_GEN_FILES') if os.path.exists(makefile) else []
    # Git keeps the tests executable; a copy may not have.
    for prog in makefile_list(makefile, 'TEST_PROGS') if os.path.exists(makefile) else []:
        if os.path.exists(os.path.join(work, prog)):
            os.chmod(os.path.join(work, prog), 0o755)
    for h in helpers:
        source, binary = os.path.join(work, h + '.c'), os.path.join(work, h)
        if os.path.exists(binary) and (not os.path.exists(source) or
                                       os.path.getmtime(binary) >= os.path.getmtime(source)):
            continue
        if os.path.exists(source):
            subprocess.run(['cc', '-O2', '-o', os.path.join(work, h), source], check=True)


def run_on_launcher(damonfs, work, prog, timeout):
    """(status, output) of `prog` in a private namespace (scripts/damonfs-run)."""
    cmd = [LAUNCHER, '--damonfs', damonfs, '--', 'sh', '-c', 'cd "$0" && exec ./"$1"', work, prog]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL, cwd='/')
    return p.returncode, p.stdout + p.stderr


def run_in_guest(damonfs, work, prog, timeout):
    """(status, output) of `prog` with a fresh mount bound over the guest's
    admin directory, unbound and unmounted afterwards."""
    mnt = tempfile.mkdtemp(prefix='damonfs.')
    # A file, not a pipe: nobody reads the daemon's log while the test runs.
    log = tempfile.TemporaryFile(mode='w+')
    daemon = subprocess.Popen([damonfs, '-f', mnt], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=log)
    bound = False
    try:
        deadline = time.monotonic() + 30
        while not os.path.isdir(os.path.join(mnt, 'admin')):
            if daemon.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                return 'mount', 'damonfs did not mount: ' + log.read()
            time.sleep(0.05)
        subprocess.run(['mount', '-o', 'bind', os.path.join(mnt, 'admin'), ADMIN], check=True)
        bound = True
        p = subprocess.run(['sh', '-c', 'cd "$0" && exec ./"$1"', work, prog], capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL, cwd='/')
        return p.returncode, p.stdout + p.stderr
    finally:
        if bound:
            subprocess.run(['umount', ADMIN])
        daemon.terminate()
        daemon.wait()
        log.close()
        subprocess.run(['umount', mnt], stderr=subprocess.DEVNULL)
        os.rmdir(mnt)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--damonfs', required=True, help='the damonfs binary')
    parser.add_argument('--timeout', type=int, default=300, help='seconds per test')
    parser.add_argument('--guest', action='store_true',
                        help="bind each mount over this vmtest guest's own admin directory")
    parser.add_argument('tests', nargs='*', help='only these tests')
    args = parser.parse_args()
    if args.guest and os.environ.get('DAMONFS_VM_GUEST') != '1':
        # The machine's own DAMON is never covered, only a throwaway guest's.
        print('--guest runs only inside a vmtest guest (DAMONFS_VM_GUEST=1)')
        return 2
    src = os.environ.get('DAMON_SELFTESTS', '')
    if not src:
        print('SKIP: set DAMON_SELFTESTS to a copy of tools/testing/selftests/damon/ '
              '(linux-mm tree) to run the kernel selftests')
        return SKIP
    if not os.path.exists(os.path.join(src, 'sysfs.sh')):
        print('SKIP: DAMON_SELFTESTS=%s has no sysfs.sh' % src)
        return SKIP
    if os.geteuid() != 0:
        print('SKIP: the kernel selftests run as root (their check_dependencies)')
        return SKIP
    damonfs = os.path.abspath(args.damonfs)
    if args.guest:
        if not os.path.isdir(ADMIN):
            print('SKIP: the guest kernel has no %s' % ADMIN)
            return SKIP
        run_test = run_in_guest
    else:
        probe = subprocess.run([LAUNCHER, '--damonfs', damonfs, '--', 'true'],
                               capture_output=True, text=True, cwd='/')
        if probe.returncode == 125:
            print('SKIP: %s' % probe.stderr.strip())
            return SKIP
        run_test = run_on_launcher

    tests, left_out = selected_tests(src, args.guest)
    for prog, why in left_out:
        print('LEFT OUT %s: %s' % (prog, why))
    if args.tests:
        tests = [t for t in tests if t in args.tests]
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory(prefix='damon-selftests.') as work:
        build_helpers(src, work)
        for prog in tests:
            try:
                status, out = run_test(damonfs, work, prog, args.timeout)
                out = out.strip()
            except subprocess.TimeoutExpired as e:
                status, out = 'timeout', str(e)
            if status == 0:
                verdict = 'PASS'
                passed += 1
            elif status == KSFT_SKIP:
                verdict = 'SKIP'
                skipped += 1
            else:
                verdict = 'FAIL'
                failed += 1
            print('%s %s (exit %s)' % (verdict, prog, status), flush=True)
            if verdict != 'PASS' and out:
                print('    ' + '\n    '.join(out.splitlines()[-15:]), flush=True)
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
