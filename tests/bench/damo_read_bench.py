#!/usr/bin/env python3
"""damo-style reads of damonfs against the kernel's DAMON sysfs, in one run.

damo is Python: it reads every file of a kdamond tree with os.listdir,
os.path.isdir and open(path, 'r').read() (`damo report damon`), and every
tried_regions/<N> directory the same way (`damo report access`, `damo
record --snapshot`). This benchmark does exactly that, in rounds that interleave damonfs and
the kernel (the order alternating), and reports medians:

1. the whole tree, damonfs given the shape of the kdamonds this machine's
   kernel runs (copied nr_* counts; the kernel's tree is only ever read);
2. a tried_regions directory of about 1000 regions on damonfs (a vaddr
   kdamond over a simulated process with min = max = 1000 regions), per
   file read, against the kernel's cost per file: its own tried_regions
   when it has some, else its whole tree's (said in the output).

It also counts the FUSE requests one read of a file costs (a second
damonfs mount with -d, its trace counted around one read), and the CPU time
a file costs: the reader's plus the damonfs process's (schedstat, in ns),
which the machine's load does not stretch as it stretches the wall clock of
a reader that blocks at every request. From both it gives what one request
costs (the damonfs-minus-kernel difference per file over the requests per
file), and the ratio no server could beat: the reader's own CPU time per
file on damonfs over the kernel's.

The reader and the daemons share one CPU unless --no-pin. Pinned, the
machine's load stretches both readers alike, and the wall-clock ratio
follows the CPU ratio. Unpinned (as damo runs), a loaded machine flatters
damonfs: the kernel's reader, which never sleeps, gets its fair share of a
busy CPU, while damonfs's reader and server, asleep at every request, run
at once when woken.

Budget (DESIGN.md): damonfs at most 2 x the kernel for both. Exits 1 when
missed, 2 when it cannot measure.

  damo_read_bench.py --damonfs BUILD/fs/damonfs [--rounds N] [--no-pin]
"""
import argparse
import collections
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

KERNEL_ADMIN = "/sys/kernel/mm/damon/admin"
BUDGET = 2.0


def die(why, code=2):
    print(f"damo_read_bench: {why}", file=sys.stderr)
    sys.exit(code)


def read(path):
    with open(path) as f:
        return f.read()


def write(path, value):
    with open(path, "w") as f:
        f.write(value)


def read_tree(root):
    """damo's walk (_damo_fs.read_files): os.listdir, os.path.isdir on each
    entry, open(path, 'r').read() on each file."""
    files = 0
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if os.path.isdir(path):
            files += read_tree(path)
        else:
            with open(path, "r") as f:
                f.read()
            files += 1
    return files


def copy_shape(src, dst):
    """Gives dst the nr_* counts of src, parents first (src is only read)."""
    entries = sorted(os.scandir(src), key=lambda e: e.name)
    for e in entries:
        # nr_* counts are writable; stats such as nr_applied are not.
        if e.name.startswith("nr_") and e.is_file() and os.stat(e.path).st_mode & 0o200:
            write(os.path.join(dst, e.name), read(e.path))
    for e in entries:
        if e.is_dir(follow_symlinks=False):
            copy_shape(e.path, os.path.join(dst, e.name))


def cpu_ns(pid):
    """CPU time all threads of process `pid` have run, in ns (schedstat)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
            total += int(f.read().split()[0])
    return total


def mounted(path):
    with open("/proc/self/mounts") as f:
        return any(line.split()[1] == path for line in f)


class Damonfs:
    def __init__(self, binary, debug_log=None):
        self.dir = tempfile.mkdtemp(prefix="damo-read-bench-")
        args = [binary, "-d" if debug_log else "-f", "--abi", "6.18", self.dir]
        self.log = open(debug_log, "w") if debug_log else subprocess.DEVNULL
        self.proc = subprocess.Popen(args, stderr=self.log, stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not (mounted(self.dir) and os.path.exists(self.dir + "/damonfs/processes")):
            if time.time() > deadline:
                self.close()
                die(f"damonfs did not mount on {self.dir}")
            time.sleep(0.02)
        self.admin = self.dir + "/admin"

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        if self.log is not subprocess.DEVNULL:
            self.log.close()
        os.rmdir(self.dir)


def stage_tried_regions(fs, regions=1000):
    """A vaddr kdamond over the simulated hotcold with `regions` regions and
    a stat scheme matching every region; returns its tried_regions dir."""
    pid = subprocess.run(["pgrep", "-P", str(fs.proc.pid), "-x", "hotcold"],
                         capture_output=True, text=True).stdout.split()
    if not pid:
        die("no simulated hotcold process")
    k = fs.admin + "/kdamonds"
    write(k + "/nr_kdamonds", "1")
    c = k + "/0/contexts/0"
    write(k + "/0/contexts/nr_contexts", "1")
    write(c + "/operations", "vaddr")
    write(c + "/monitoring_attrs/nr_regions/max", str(regions))
    write(c + "/monitoring_attrs/nr_regions/min", str(regions))
    write(c + "/targets/nr_targets", "1")
    write(c + "/targets/0/pid_target", pid[0])
    write(c + "/schemes/nr_schemes", "1")
    s = c + "/schemes/0"
    write(s + "/action", "stat")
    for r in ("sz", "nr_accesses", "age"):
        write(s + f"/access_pattern/{r}/max", str(2**64 - 1))
    write(k + "/0/state", "on")
    time.sleep(1)
    write(k + "/0/state", "update_schemes_tried_regions")
    return s + "/tried_regions"


def requests_per_read(binary, shape_from):
    """FUSE requests of one damo-style read (isdir, open, read) of a file
    read before, and of one listing of a directory listed before (from a
    -d trace)."""
    log = tempfile.mktemp(prefix="damo-read-bench-trace-")
    fs = Damonfs(binary, debug_log=log)
    try:
        copy_shape(shape_from, fs.admin)
        path = fs.admin + "/kdamonds/0/contexts/0/monitoring_attrs/intervals/sample_us"
        os.path.isdir(path) or read(path)
        # Twice: the first listing fills the kernel's cache and drops the
        # directory's cached atime (as a read does a file's); a walk lists
        # each directory again and again.
        os.listdir(fs.admin + "/kdamonds/0/contexts/0")
        os.listdir(fs.admin + "/kdamonds/0/contexts/0")

        def traced(action):
            time.sleep(0.2)
            start = os.path.getsize(log)
            action()
            time.sleep(0.2)
            with open(log) as f:
                f.seek(start)
                return collections.Counter(re.findall(r"opcode: ([A-Z_]+)", f.read()))

        per_file = traced(lambda: os.path.isdir(path) or read(path))
        per_dir = traced(lambda: os.listdir(fs.admin + "/kdamonds/0/contexts/0"))
    finally:
        fs.close()
        os.unlink(log)
    return per_file, per_dir


def interleave(systems, rounds):
    """systems: name -> (function reading files, pid of the serving daemon
    or None). Medians over the rounds, in ms: wall clock, and the CPU time
    of this reader plus the daemon, of the reader, of the daemon."""
    samples = {name: collections.defaultdict(list) for name in systems}
    names = list(systems)
    me = os.getpid()
    for r in range(-1, rounds):  # round -1 warms up and is not kept
        for name in (names if r % 2 == 0 else names[::-1]):
            read_files, daemon = systems[name]
            r0, d0 = cpu_ns(me), cpu_ns(daemon) if daemon else 0
            t0 = time.perf_counter()
            read_files()
            t1 = time.perf_counter()
            r1, d1 = cpu_ns(me), cpu_ns(daemon) if daemon else 0
            if r >= 0:
                s = samples[name]
                s["wall"].append((t1 - t0) * 1e3)
                s["cpu"].append((r1 - r0 + d1 - d0) / 1e6)
                s["reader"].append((r1 - r0) / 1e6)
                s["daemon"].append((d1 - d0) / 1e6)
    return {kind: {name: statistics.median(samples[name][kind]) for name in names}
            for kind in ("wall", "cpu", "reader", "daemon")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--damonfs", required=True)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--no-pin", action="store_true")
    opt = ap.parse_args()
    if not os.access(KERNEL_ADMIN + "/kdamonds/nr_kdamonds", os.R_OK):
        die("no DAMON sysfs to compare with")
    if read(KERNEL_ADMIN + "/kdamonds/nr_kdamonds") == "0\n":
        die("the kernel runs no kdamond to read (nothing is ever staged on it)")
    if not opt.no_pin:
        # The reader and both servers on one CPU: a round trip is then two
        # context switches, not two wake-ups of idle CPUs, and the load
        # weighs on damonfs and the kernel alike.
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        print(f"pinned to CPU {cpu}")

    tree_fs = Damonfs(opt.damonfs)
    tried_fs = Damonfs(opt.damonfs)
    try:
        copy_shape(KERNEL_ADMIN, tree_fs.admin)
        tried = stage_tried_regions(tried_fs)
        kernel_files = read_tree(KERNEL_ADMIN)
        dfs_files = read_tree(tree_fs.admin)
        tried_files = read_tree(tried)
        kernel_tried = [p for p in
                        (os.path.join(d, "tried_regions") for d, _, _ in os.walk(KERNEL_ADMIN))
                        if os.path.isdir(p) and len(os.listdir(p)) > 1]
        print(f"whole tree: kernel {kernel_files} files, damonfs {dfs_files} files "
              f"(the kernel's kdamonds' shape)")
        print(f"tried_regions on damonfs: {len(os.listdir(tried)) - 1} regions, "
              f"{tried_files} files")
        systems = {
            "damonfs tree": (lambda: read_tree(tree_fs.admin), tree_fs.proc.pid),
            "kernel tree": (lambda: read_tree(KERNEL_ADMIN), None),
            "damonfs tried_regions": (lambda: read_tree(tried), tried_fs.proc.pid),
        }
        if kernel_tried:
            kernel_tried_files = sum(read_tree(p) for p in kernel_tried)
            systems["kernel tried_regions"] = (lambda: [read_tree(p) for p in kernel_tried], None)
        load = os.getloadavg()
        med = interleave(systems, opt.rounds)
        load = [max(a, b) for a, b in zip(load, os.getloadavg())]
        per_file, per_dir = requests_per_read(opt.damonfs, KERNEL_ADMIN)
    finally:
        tree_fs.close()
        tried_fs.close()

    if kernel_tried:
        kernel_tried_key, kernel_tried_n = "kernel tried_regions", kernel_tried_files
        basis = "its tried_regions"
    else:
        kernel_tried_key, kernel_tried_n = "kernel tree", kernel_files
        basis = "its whole tree: its tried_regions are empty"
    requests = sum(per_file.values())
    # RELEASE goes in the background: the reader does not wait for it.
    waited = requests - per_file.get("RELEASE", 0)

    def compare(title, kind, unit):
        """Prints the two rows of med[kind] (ms per walk); returns the ratios."""
        m = med[kind]
        print(f"\n{title}")
        tree = m["damonfs tree"] / m["kernel tree"]
        print(f"  whole tree   damonfs {m['damonfs tree']:8.3f} ms   "
              f"kernel {m['kernel tree']:8.3f} ms   ratio {tree:.2f}")
        dfs_us = m["damonfs tried_regions"] * 1e3 / tried_files
        k_us = m[kernel_tried_key] * 1e3 / kernel_tried_n
        print(f"  per file     damonfs {dfs_us:8.1f} us   kernel {k_us:8.1f} us   "
              f"ratio {dfs_us / k_us:.2f}  (kernel per file from {basis})")
        per_request = (dfs_us - k_us) / requests
        print(f"  one FUSE request costs {per_request:.1f} us {unit} "
              f"(the per-file difference over {requests} requests)")
        return tree, dfs_us / k_us

    print(f"\nmedians of {opt.rounds} interleaved rounds, load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (highest seen)")
    tree_ratio, file_ratio = compare(f"wall clock (budget {BUDGET})", "wall", "of wall clock")
    compare("CPU time: the reader's plus the damonfs process's", "cpu", "of CPU")
    reader_dfs = med["reader"]["damonfs tried_regions"] * 1e3 / tried_files
    reader_k = med["reader"][kernel_tried_key] * 1e3 / kernel_tried_n
    print(f"  of which per file: reader {reader_dfs:.1f} us on damonfs, {reader_k:.1f} us on "
          f"the kernel; damonfs {med['daemon']['damonfs tried_regions'] * 1e3 / tried_files:.1f} us")
    # The reader's side of the requests (the kernel's FUSE client, the
    # context switches) stays whatever the server does.
    print(f"  floor with a server that took no time: {reader_dfs / reader_k:.2f} "
          f"(the reader's CPU per file on damonfs over the kernel's)")
    print("\nFUSE requests per damo-style read of a file (isdir, open, read): "
          f"{requests}, {waited} waited for "
          f"({', '.join(f'{k} {v}' for k, v in sorted(per_file.items()))})")
    print("FUSE requests per listing of a directory listed before: "
          f"{sum(per_dir.values())} ({', '.join(f'{k} {v}' for k, v in sorted(per_dir.items()))})")
    ok = tree_ratio <= BUDGET and file_ratio <= BUDGET
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
