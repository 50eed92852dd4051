#!/usr/bin/env bash
# Sets up the machine, builds every configuration the tests need and runs
# them all through one ctest run (its summary line is the last thing printed).
#
# Sanitizer configurations build only the test binaries that need them:
#   ASan+UBSan: the unit tests of every layer;
#   TSan:       the concurrency tests (kdamond request API, state-commit stress);
#   libFuzzer:  the attribute write-path fuzzer (clang), run for FUZZ_SECONDS.
# Every configuration treats compiler warnings as errors.
# Environment: JOBS (default nproc), BUILD_DIR (default ./build),
# FUZZ_SECONDS (default 60), STRESS_SECONDS (default 60), DAMO (damo tests),
# VMTEST_RUNNER (vmtest's run-in-vm.sh for the QEMU guest tests; default
# ../shared/vmtest/run-in-vm.sh beside the clone when it is there).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"

jobs=${JOBS:-$(nproc)}
build=${BUILD_DIR:-$root/build}
# The stress tests default to a short run when this is unset.
export STRESS_SECONDS=${STRESS_SECONDS:-60}

configure() {
  local dir=$1; shift
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_COMPILE_WARNING_AS_ERROR=ON "$@" >/dev/null
}

vmtest=${VMTEST_RUNNER:-$root/../shared/vmtest/run-in-vm.sh}
vmtest_args=()
if [ -x "$vmtest" ]; then
  vmtest_args=(-DDAMONFS_VMTEST_RUNNER="$(cd "$(dirname "$vmtest")" && pwd)/$(basename "$vmtest")")
fi

asan_tests=(core_tests damos_tests sim_tests kdamond_tests fs_tests control_tests)
tsan_tests=(kdamond_tests control_tests control_stress_tests sim_threads_tests)

echo "== ASan+UBSan build: ${asan_tests[*]}"
configure "$build-asan" -DDAMONFS_SANITIZE=address -DDAMONFS_BENCH=OFF
ninja -C "$build-asan" -j "$jobs" "${asan_tests[@]}"

echo "== TSan build: ${tsan_tests[*]}"
configure "$build-tsan" -DDAMONFS_SANITIZE=thread -DDAMONFS_BENCH=OFF
ninja -C "$build-tsan" -j "$jobs" "${tsan_tests[@]}"

echo "== libFuzzer build (clang)"
CC=clang CXX=clang++ configure "$build-fuzz" -DDAMONFS_FUZZ=ON -DDAMONFS_BENCH=OFF -DBUILD_TESTING=OFF
ninja -C "$build-fuzz" -j "$jobs" tree_write_fuzzer

echo "== main build"
configure "$build" "${vmtest_args[@]}" \
  -DDAMONFS_ASAN_DIR="$build-asan" -DDAMONFS_TSAN_DIR="$build-tsan" -DDAMONFS_FUZZ_DIR="$build-fuzz"
ninja -C "$build" -j "$jobs"

cd "$build"
# ctest lists the skipped tests after its summary; the summary is repeated
# last so that it ends the output.
status=0
ctest --output-on-failure -j "$jobs" | tee ctest.log || status=$?
grep -E '^[0-9]+% tests passed' ctest.log | tail -n 1
exit "$status"
