#!/usr/bin/env bash
# Records control_bench's kernel columns: damonfs and a real kernel's DAMON
# sysfs, measured side by side in one run inside a throwaway guest of
# ../shared/vmtest (the only kernel whose DAMON is ours to write; the
# development machine's runs a kdamond of its own and is never written).
#
#   tests/bench/control_bench_vm.sh [BUILD_DIR] [6.18|6.12]   (default build, 6.18)
#
# The guest boots with `damonfs.vm_bench`, which control_bench requires before
# it writes to a kernel's DAMON. Output goes to the terminal and to
# tests/bench/recorded/control_bench-linux-VERSION-vm.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
version=${2:-6.18}
vmtest=${VMTEST:-$root/../shared/vmtest}
[ -x "$vmtest/run-in-vm.sh" ] || { echo "control_bench_vm: no $vmtest/run-in-vm.sh (set VMTEST)" >&2; exit 2; }
case "$version" in
  6.18) kernel=(--kernel-suite trixie-backports --kernel-pkg linux-image-6.18.15+deb13-amd64) ;;
  6.12) kernel=() ;;
  *) echo "control_bench_vm: version must be 6.18 or 6.12" >&2; exit 2 ;;
esac
out=$root/tests/bench/recorded/control_bench-linux-$version-vm.txt
mkdir -p "$(dirname "$out")"
{
  echo "# tests/bench/control_bench_vm.sh $version ($(date -u +%Y-%m-%d), guest: 2 vCPUs under TCG)"
  "$vmtest/run-in-vm.sh" "${kernel[@]}" --cpus 2 --mem 1024 --timeout 600 --append damonfs.vm_bench \
    --copy "$build/fs/damonfs" \
    -- "$build/tests/bench/control_bench" --rounds 10 --kernel-admin /sys/kernel/mm/damon/admin
} 2>&1 | tee "$out"
