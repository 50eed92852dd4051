#!/usr/bin/env bash
# Records the conformance probe on a real kernel inside a throwaway vmtest
# guest (never on this machine: its DAMON belongs to the machine).
#
#   tests/conformance/record.sh 6.12 [PROBE_DIR] [RUN_IN_VM]
#   tests/conformance/record.sh 6.18 [PROBE_DIR] [RUN_IN_VM]
#
# writes tests/conformance/expected-<version>.json. PROBE_DIR holds probe.py
# (default ../shared/conformance next to the source tree), RUN_IN_VM is
# vmtest's run-in-vm.sh (default ../shared/vmtest/run-in-vm.sh). The guest
# has no Python: the host's interpreter goes in with a copy of its standard
# library (tests, build configuration and site packages left out); PYTHON
# picks the interpreter (default /usr/bin/python3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
version=${1:?usage: record.sh 6.12|6.18 [PROBE_DIR] [RUN_IN_VM]}
probe_dir=$(readlink -f "${2:-$source_dir/../shared/conformance}")
run_in_vm=$(readlink -f "${3:-$source_dir/../shared/vmtest/run-in-vm.sh}")

case $version in
  6.12) kernel=() ;;
  6.18) kernel=(--kernel-suite trixie-backports --kernel-pkg linux-image-6.18.15+deb13-amd64) ;;
  *) echo "record.sh: no guest kernel known for $version" >&2; exit 2 ;;
esac

python=$(readlink -f "${PYTHON:-/usr/bin/python3}")
stdlib=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out"
cp -a "$stdlib" "$work/stdlib"
for d in test 'config-*' site-packages dist-packages lib2to3 pydoc_data idlelib tkinter ensurepip; do
  rm -rf "$work"/stdlib/$d
done
cp "$probe_dir/probe.py" "$work/probe.py"

"$run_in_vm" "${kernel[@]}" --timeout 3000 \
  --copy "$python" --copy "$work/stdlib:$stdlib" --copy "$work/probe.py:/probe.py" \
  --share "$work/out:/out" -- \
  sh -c "uname -r > /out/kernel && $python /probe.py record /sys/kernel/mm/damon/admin /out/expected.json"

cp "$work/out/expected.json" "$here/expected-$version.json"
echo "recorded on $(cat "$work/out/kernel"): $here/expected-$version.json"
