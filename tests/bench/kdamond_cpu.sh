#!/usr/bin/env bash
# A kdamond's CPU share in real time: the thread's utime+stime from
# /proc/TID/stat over SECONDS of wall time, at the default intervals with
# min = max = 1000 regions and one `stat` scheme that matches every region.
#
#   damonfs vaddr   a simulated process of 1 TiB (four 256 GiB mappings:
#                   hot and cold random, a sequential sweep, huge pages)
#   damonfs paddr   the same machine's physical memory (1.1 TB)
#   kernel          the kdamonds this machine's kernel runs already (it
#                   starts one at boot), read only: their pid, operations,
#                   intervals and region bounds come from its sysfs, which
#                   this script never writes (that kdamond is the machine's)
#
# Usage: tests/bench/kdamond_cpu.sh DAMONFS_BINARY [SECONDS]   (default 20)
# Prints one line per row; no budget verdict (the benchmarks hold those):
# this shows what the same sampling costs outside a warm benchmark loop.
set -euo pipefail

binary=${1:?usage: kdamond_cpu.sh DAMONFS_BINARY [SECONDS]}
seconds=${2:-20}
hz=$(getconf CLK_TCK)
work=$(mktemp -d)
mnt=$work/mnt
mkdir "$mnt"
cleanup() {
  mountpoint -q "$mnt" && fusermount3 -u "$mnt"
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/tib.yaml" <<'EOF'
name: tib
seed: 1
machine:
  phys_base: 4GiB
  nodes:
    - {id: 0, capacity: 1100GiB, latency: 100ns, cpus: true}
processes:
  - name: big
    regions:
      - {name: hot, size: 256GiB, intensity: 50}
      - {name: cold, size: 256GiB, intensity: 0.1}
      - {name: sweep, size: 256GiB, pattern: sequential, intensity: 5}
      - {name: huge, size: 256GiB, thp: true, intensity: 1}
EOF

# measure ADMIN LABEL OPS TARGET...: TARGET is a pid (vaddr) or START END.
measure() {
  local admin=$1 label=$2 ops=$3
  shift 3
  local k=$admin/kdamonds/0 c=$admin/kdamonds/0/contexts/0
  echo 1 > "$admin/kdamonds/nr_kdamonds"
  echo 1 > "$k/contexts/nr_contexts"
  echo "$ops" > "$c/operations"
  echo 1000 > "$c/monitoring_attrs/nr_regions/max"
  echo 1000 > "$c/monitoring_attrs/nr_regions/min"
  echo 1 > "$c/targets/nr_targets"
  if [ "$ops" = vaddr ]; then
    echo "$1" > "$c/targets/0/pid_target"
  else
    echo 1 > "$c/targets/0/regions/nr_regions"
    echo "$1" > "$c/targets/0/regions/0/start"
    echo "$2" > "$c/targets/0/regions/0/end"
  fi
  echo 1 > "$c/schemes/nr_schemes"
  local s=$c/schemes/0
  echo stat > "$s/action"
  echo 18446744073709551615 > "$s/access_pattern/sz/max"
  echo 4294967295 > "$s/access_pattern/nr_accesses/max"
  echo 4294967295 > "$s/access_pattern/age/max"
  echo on > "$k/state"
  local tid
  tid=$(cat "$k/pid")
  sleep 2
  local t0 t1 w0 w1
  t0=$(awk '{print $14 + $15}' "/proc/$tid/stat")
  w0=$(date +%s.%N)
  sleep "$seconds"
  t1=$(awk '{print $14 + $15}' "/proc/$tid/stat")
  w1=$(date +%s.%N)
  echo update_schemes_tried_regions > "$k/state"
  local regions
  regions=$(find "$s/tried_regions" -mindepth 1 -maxdepth 1 -type d | wc -l)
  echo off > "$k/state"
  echo 0 > "$admin/kdamonds/nr_kdamonds"
  awk -v l="$label" -v r="$regions" -v a="$t0" -v b="$t1" -v s="$w0" -v e="$w1" -v hz="$hz" \
    'BEGIN { printf "%-15s %5d regions  %5.2f %% of one CPU over %.0f s\n", l, r, 100 * (b - a) / hz / (e - s), e - s }'
}

"$binary" --scenario "$work/tib.yaml" "$mnt"
pid=$(awk '$2 == "big" { print $4 }' "$mnt/damonfs/processes")
node_bytes=$(awk '$1 == "node" && $2 == 0 { print $4 }' "$mnt/damonfs/nodes")
measure "$mnt/admin" "damonfs vaddr" vaddr "$pid"
measure "$mnt/admin" "damonfs paddr" paddr $((4 << 30)) $(((4 << 30) + node_bytes))
fusermount3 -u "$mnt"

# The kernel's own kdamonds, as they run: nothing under its sysfs is written.
kernel=/sys/kernel/mm/damon/admin/kdamonds
nr=$(cat "$kernel/nr_kdamonds" 2>/dev/null || echo 0)
if [ "$nr" = 0 ]; then
  echo "kernel          skipped: the kernel runs no kdamond (none is ever started here)"
fi
for ((k = 0; k < nr; k++)); do
  [ "$(cat "$kernel/$k/state")" = on ] || continue
  c=$kernel/$k/contexts/0
  a=$c/monitoring_attrs
  tid=$(cat "$kernel/$k/pid")
  t0=$(awk '{print $14 + $15}' "/proc/$tid/stat")
  w0=$(date +%s.%N)
  sleep "$seconds"
  t1=$(awk '{print $14 + $15}' "/proc/$tid/stat")
  w1=$(date +%s.%N)
  awk -v l="kernel $(cat "$c/operations")" -v a="$t0" -v b="$t1" -v s="$w0" -v e="$w1" -v hz="$hz" -v k="$k" \
    -v iv="$(cat "$a/intervals/sample_us")/$(cat "$a/intervals/aggr_us") us" \
    -v nr="$(cat "$a/nr_regions/min")-$(cat "$a/nr_regions/max")" \
    'BEGIN { printf "%-15s kdamond.%s, sample/aggr %s, %s regions  %5.2f %% of one CPU over %.0f s\n", l, k, iv, nr, 100 * (b - a) / hz / (e - s), e - s }'
done
