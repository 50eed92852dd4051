#!/usr/bin/env python3
"""promote_hot: a small DAMON-based policy that keeps a process's hot memory
on a fast NUMA node.

It drives nothing but the DAMON sysfs files: one kdamond monitors the
process's virtual address space (vaddr) and a migrate_hot scheme moves the
regions accessed in at least --min-access-rate of the samples of an
aggregation interval to --node, at most --quota-mb megabytes a second.
`status` prints what the scheme did (update_schemes_stats), `stop` turns
the kdamond off.

The same script runs on a kernel with DAMON (--sysfs /sys/kernel/mm/damon,
the default) and on a damonfs mount (--sysfs MOUNTPOINT). See
test_promote_hot.py for how to test such a policy deterministically with
a manual clock.

  promote_hot.py [--sysfs DIR] start --pid PID [--node N] [--min-access-rate PCT]
  promote_hot.py [--sysfs DIR] status
  promote_hot.py [--sysfs DIR] stop
"""
import argparse
import os
import sys


class Damon:
    """The admin/ tree of a DAMON sysfs interface."""

    def __init__(self, root):
        self.admin = os.path.join(root, 'admin')
        self.kdamond = os.path.join(self.admin, 'kdamonds', '0')
        self.ctx = os.path.join(self.kdamond, 'contexts', '0')
        self.scheme = os.path.join(self.ctx, 'schemes', '0')

    def write(self, path, value):
        with open(os.path.join(self.admin, path) if not os.path.isabs(path) else path, 'w') as f:
            f.write('%s\n' % value)

    def read(self, path):
        with open(path) as f:
            return f.read().strip()

    def at(self, base, *parts):
        return os.path.join(base, *parts)


def start(d, args):
    d.write('kdamonds/nr_kdamonds', 1)
    d.write(d.at(d.kdamond, 'contexts', 'nr_contexts'), 1)
    d.write(d.at(d.ctx, 'operations'), 'vaddr')
    intervals = d.at(d.ctx, 'monitoring_attrs', 'intervals')
    d.write(d.at(intervals, 'sample_us'), 5000)
    d.write(d.at(intervals, 'aggr_us'), 100000)
    d.write(d.at(intervals, 'update_us'), 1000000)
    d.write(d.at(d.ctx, 'targets', 'nr_targets'), 1)
    d.write(d.at(d.ctx, 'targets', '0', 'pid_target'), args.pid)
    d.write(d.at(d.ctx, 'schemes', 'nr_schemes'), 1)
    d.write(d.at(d.scheme, 'action'), 'migrate_hot')
    d.write(d.at(d.scheme, 'target_nid'), args.node)
    # nr_accesses counts the samples (of aggr_us / sample_us = 20) that saw
    # an access.
    samples = 100000 // 5000
    d.write(d.at(d.scheme, 'access_pattern', 'nr_accesses', 'min'),
            max(1, samples * args.min_access_rate // 100))
    d.write(d.at(d.scheme, 'access_pattern', 'nr_accesses', 'max'), samples)
    # Every range is 0..0 until written: any size, any age.
    d.write(d.at(d.scheme, 'access_pattern', 'sz', 'max'), 2**64 - 1)
    d.write(d.at(d.scheme, 'access_pattern', 'age', 'max'), 2**32 - 1)
    quotas = d.at(d.scheme, 'quotas')
    d.write(d.at(quotas, 'reset_interval_ms'), 1000)
    d.write(d.at(quotas, 'bytes'), args.quota_mb * 1024 * 1024)
    d.write(d.at(d.kdamond, 'state'), 'on')
    print('promote_hot: kdamond %s moves the hot memory of pid %d to node %d'
          % (d.read(d.at(d.kdamond, 'pid')), args.pid, args.node))


def status(d, _args):
    d.write(d.at(d.kdamond, 'state'), 'update_schemes_stats')
    stats = d.at(d.scheme, 'stats')
    for name in ('nr_tried', 'sz_tried', 'nr_applied', 'sz_applied', 'qt_exceeds'):
        print('%s %s' % (name, d.read(d.at(stats, name))))


def stop(d, _args):
    d.write(d.at(d.kdamond, 'state'), 'off')


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--sysfs', default='/sys/kernel/mm/damon',
                   help='the DAMON sysfs directory (holding admin/), or a damonfs mount')
    sub = p.add_subparsers(dest='command', required=True)
    s = sub.add_parser('start')
    s.add_argument('--pid', type=int, required=True)
    s.add_argument('--node', type=int, default=0)
    s.add_argument('--min-access-rate', type=int, default=5, help='percent of samples')
    s.add_argument('--quota-mb', type=int, default=200, help='megabytes moved per second, at most')
    sub.add_parser('status')
    sub.add_parser('stop')
    args = p.parse_args(argv)
    d = Damon(args.sysfs)
    {'start': start, 'status': status, 'stop': stop}[args.command](d, args)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
