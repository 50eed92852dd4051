#!/usr/bin/env bash
# The main job in one command: set up, build, mount damonfs with the
# built-in simulated machine and show DAMON monitoring at work, driven by
# plain echo/cat exactly as on a kernel's /sys/kernel/mm/damon/admin.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" damonfs

mnt=$(mktemp -d /tmp/damonfs-demo.XXXXXX)
cleanup() { fusermount3 -u "$mnt" 2>/dev/null || true; rmdir "$mnt" 2>/dev/null || true; }
trap cleanup EXIT
"$build/fs/damonfs" --machine sim "$mnt"
echo "== damonfs mounted on $mnt (built-in simulated machine)"

# The mount describes its simulated machine beside admin/ (damonfs(8)).
pid=$(awk '$2 == "hotcold" && $6 == "yes" { print $4; exit }' "$mnt/damonfs/processes")
echo "== simulated process 'hotcold' runs as pid $pid; its true layout:"
while read -r _ name _ start _ end _; do
  case $name in hot | cold) ;; *) continue ;; esac
  printf '   %x-%x  %4d MiB  %s\n' "$start" "$end" $(((end - start) / 1048576)) "$name"
  [ "$name" = hot ] && hot_start=$start hot_end=$end
done < "$mnt/damonfs/truth/$pid"

k="$mnt/admin/kdamonds"
echo 1 > "$k/nr_kdamonds"
echo 1 > "$k/0/contexts/nr_contexts"
c="$k/0/contexts/0"
echo vaddr > "$c/operations"
echo 1 > "$c/targets/nr_targets"
echo "$pid" > "$c/targets/0/pid_target"
echo 1 > "$c/schemes/nr_schemes"
s="$c/schemes/0"
echo stat > "$s/action"
echo 18446744073709551615 > "$s/access_pattern/sz/max"
echo 4294967295 > "$s/access_pattern/nr_accesses/max"
echo 4294967295 > "$s/access_pattern/age/max"
accessed=0 in_hot=0
echo on > "$k/0/state"
echo "== kdamond $(cat "$k/0/pid") (task $(cat "/proc/$(cat "$k/0/pid")/comm")) monitors pid $pid; waiting 5 s"
sleep 5
echo update_schemes_tried_regions > "$k/0/state"
regions=$(for r in "$s"/tried_regions/[0-9]*; do
  echo "$(cat "$r/start") $(cat "$r/end") $(cat "$r/nr_accesses") $(cat "$r/age")"
done)
echo "== DAMON's regions: $(wc -l <<< "$regions") (nr_accesses = samples with an access, of 20 per aggregation)"
while read -r start end nr age; do
  size=$((end - start))
  if [ "$nr" -gt 0 ]; then
    accessed=$((accessed + size))
    [ "$start" -ge "$hot_start" ] && [ "$end" -le "$hot_end" ] && in_hot=$((in_hot + size))
  fi
done <<< "$regions"
echo "   regions with accesses: $((accessed / 1048576)) MiB, of which $((in_hot / 1048576)) MiB inside the 64 MiB hot mapping"
echo "   hottest regions:"
while read -r start end nr age; do
  printf '     %x-%x %6d KiB  nr_accesses %2d  age %d\n' "$start" "$end" $(((end - start) / 1024)) "$nr" "$age"
done < <(sort -k3,3nr <<< "$regions" | head -5)
echo update_schemes_stats > "$k/0/state"
echo "== stat scheme: nr_tried $(cat "$s/stats/nr_tried"), sz_tried $(cat "$s/stats/sz_tried") bytes"
echo off > "$k/0/state"
echo "== kdamond state: $(cat "$k/0/state")"
