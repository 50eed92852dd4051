"""damo record files for the fidelity scripts: read (JSON or zlib JSON),
write (damo's raw format), and build from the damon_aggregated tracepoint
text of tracefs. Written for this project from damo's documented format;
no damo code."""
import json
import re
import zlib

TRACE_LINE = re.compile(
    r'\s(\d+\.\d+): damon_aggregated: target_id=(\d+) nr_regions=(\d+) (\d+)-(\d+): (\d+) (\d+)')


def read(path):
    """Records as damo's JSON structure (list of dicts), numbers as ints."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:1] == b'\x78':
        data = zlib.decompress(data)
    return json.loads(data)


def write(records, path, compressed=True):
    data = json.dumps(records, indent=4).encode()
    with open(path, 'wb') as f:
        f.write(zlib.compress(data) if compressed else data)


def region(start, end, nr_accesses, age=0):
    return {'start': '%d' % start, 'end': '%d' % end,
            'nr_accesses': {'samples': nr_accesses, 'percent': None},
            'age': {'usec': None, 'aggr_intervals': age},
            'probe_hits': [], 'sz_filter_passed': '0'}


def from_trace(text, sample_us, aggr_us, ops_update_us):
    """One record per target; a snapshot is complete when it has
    nr_regions regions (each line of a snapshot carries the count). A
    snapshot starts where the previous one of its target ended; the first
    one aggr_us before its end."""
    records = {}
    pending = {}
    for line in text.splitlines():
        m = TRACE_LINE.search(line)
        if not m:
            continue
        t, target, nr, start, end, acc, age = m.groups()
        target, nr = int(target), int(nr)
        snap = pending.setdefault(target, [])
        snap.append((float(t), int(start), int(end), int(acc), int(age)))
        if len(snap) < nr:
            continue
        del pending[target]
        rec = records.setdefault(target, {
            'kdamond_idx': 0, 'context_idx': 0,
            'intervals': {'sample_us': '%d' % sample_us, 'aggr_us': '%d' % aggr_us,
                          'ops_update_us': '%d' % ops_update_us},
            'scheme_idx': None, 'target_id': target, 'scheme_filters': [],
            'snapshots': [], 'data_source': 'unknown'})
        end_ns = int(snap[0][0] * 1e9)
        prev = rec['snapshots']
        start_ns = int(prev[-1]['end_time']) if prev else end_ns - aggr_us * 1000
        regions = [region(s, e, a, g) for _, s, e, a, g in snap]
        prev.append({'start_time': '%d' % start_ns, 'end_time': '%d' % end_ns,
                     'regions': regions,
                     'total_bytes': '%d' % sum(e - s for _, s, e, _, _ in snap),
                     'damos_stats': None, 'sample_interval_us': None})
    return [records[k] for k in sorted(records)]


MARKER_LINE = re.compile(r'\s(\d+\.\d+): tracing_mark_write: (.*)$')


def markers(text):
    """[(time_ns, message)] of the trace_marker lines of a tracefs text."""
    out = []
    for line in text.splitlines():
        m = MARKER_LINE.search(line)
        if m:
            out.append((int(float(m.group(1)) * 1e9), m.group(2).strip()))
    return out


def number(value):
    """A number as damo writes it: JSON number, or a string maybe with
    thousands separators."""
    if isinstance(value, str):
        value = value.replace(',', '')
    return int(float(value))


def snapshots(records, target=0):
    """[(start_ns, end_ns, [(start, end, nr_accesses)])] of one target (a
    null target id is 0: `damo record --snapshot` writes one record per
    snapshot, without it), in time order."""
    out = []
    for rec in records:
        if number(rec['target_id'] or 0) != target:
            continue
        for s in rec['snapshots']:
            regions = [(number(r['start']), number(r['end']), number(r['nr_accesses']['samples']))
                       for r in s['regions'] if number(r['nr_accesses']['samples']) >= 0]
            if regions and number(s['end_time']) > 0:
                out.append((number(s['start_time']), number(s['end_time']), regions))
    return sorted(out, key=lambda s: s[0])
