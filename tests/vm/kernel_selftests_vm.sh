#!/usr/bin/env bash
# The kernel's DAMON selftests against damonfs inside a vmtest guest.
#
#   DAMON_SELFTESTS=DIR tests/vm/kernel_selftests_vm.sh DAMONFS [RUN_IN_VM] [TEST...]
#
# Same tests and verdicts as tests/selftests/kernel_selftests.py, but run in
# a throwaway QEMU guest (Debian's 6.12 kernel) instead of on this machine:
# the guest kernel has soft-dirty bits, so damonfs samples the selftests'
# real processes per page there, which this machine's kernel (no idle page
# tracking, no soft-dirty) cannot offer. The guest's busybox userland has no
# Python, bash, /usr/bin/env or compiler: the host's interpreter goes in
# with its standard library, bash for sysfs.sh, env for the tests' #! lines,
# and the C helpers are built here first.
#
# RUN_IN_VM is vmtest's run-in-vm.sh (when not given: $VMTEST, or
# ../shared/vmtest/run-in-vm.sh beside the source tree); PYTHON picks the
# interpreter (default /usr/bin/python3); VMTEST_ARGS adds run-in-vm.sh
# options (a --kernel-suite for another kernel). Exits with the runner's
# status, 77 with the reason when the selftests, the VM runner or QEMU are
# missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
damonfs=$(readlink -f "${1:?usage: kernel_selftests_vm.sh DAMONFS [RUN_IN_VM] [TEST...]}")
if [ $# -ge 2 ]; then run_in_vm=$2; shift 2  # given, even empty (ctest: none configured)
else run_in_vm=${VMTEST:-$source_dir/../shared/vmtest/run-in-vm.sh}; shift; fi

skip() { echo "SKIP: $*"; exit 77; }
src=${DAMON_SELFTESTS:-}
[ -n "$src" ] || skip "set DAMON_SELFTESTS to a copy of tools/testing/selftests/damon/ (linux-mm tree)"
[ -f "$src/sysfs.sh" ] || skip "DAMON_SELFTESTS=$src has no sysfs.sh"
if [ -z "$run_in_vm" ] || [ ! -x "$run_in_vm" ]; then
  skip "vmtest's run-in-vm.sh not found ('$run_in_vm'; DAMONFS_VMTEST_RUNNER, VMTEST)"
fi
command -v qemu-system-x86_64 > /dev/null ||
  skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
command -v cc > /dev/null || skip "no C compiler for the selftests' helpers"

python=$(readlink -f "${PYTHON:-/usr/bin/python3}")
bash_bin=$(readlink -f "$(command -v bash)")
# The tests' "#!/usr/bin/env python3": busybox has env in /bin only.
env_bin=$(readlink -f /usr/bin/env)
stdlib=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -a "$src" "$work/selftests"
# The helpers the Makefile builds (TEST_GEN_FILES), built for the guest.
# shellcheck disable=SC2013 # the Makefile lists words, not lines
for h in $(sed -n 's/^\s*TEST_GEN_FILES\s*+\?=\s*//p' "$src/Makefile"); do
  [ -f "$work/selftests/$h.c" ] && cc -O2 -o "$work/selftests/$h" "$work/selftests/$h.c"
done
cp -a "$stdlib" "$work/stdlib"
# shellcheck disable=SC2086 # config-* is a pattern
for d in test 'config-*' site-packages dist-packages lib2to3 pydoc_data idlelib tkinter ensurepip; do
  rm -rf "$work"/stdlib/$d
done

# shellcheck disable=SC2086 # VMTEST_ARGS is a list of options
"$run_in_vm" ${VMTEST_ARGS:-} --mem 1024,256 --timeout 3000 \
  --copy "$python" --copy "$python:/usr/bin/python3" --copy "$work/stdlib:$stdlib" \
  --copy "$bash_bin:/bin/bash" --copy "$env_bin:/usr/bin/env" \
  --copy "$damonfs:/damonfs" --copy "$work/selftests:/selftests" \
  --copy "$source_dir/tests/selftests/kernel_selftests.py:/kernel_selftests.py" \
  --env DAMONFS_VM_GUEST=1 --env DAMON_SELFTESTS=/selftests -- \
  sh -c "echo guest kernel \$(uname -r); $python /kernel_selftests.py --guest --damonfs /damonfs $*"
