#!/usr/bin/env bash
# Builds the Debian package from a build tree (cpack -G DEB) and checks it:
# its file list holds the daemon, the launcher, the man pages and every
# example scenario; it declares the libraries and programs damonfs needs;
# unpacked into a scratch root, `damonfs --help` and `damonfs-run --help`
# run, and damonfs-run (given no hint) mounts with the daemon installed
# beside it. Exits 77 (skipped) where there is no dpkg.
#
# usage: check_deb.sh CPACK BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
cpack=$1 build=$2 source=$3 work=$4

command -v dpkg-deb >/dev/null || { echo "dpkg-deb not found: not a Debian system"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
if ! "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log" >&2
  fail "cpack -G DEB failed"
fi
debs=("$work"/damonfs_*.deb)
[ -f "${debs[0]}" ] || fail "cpack made no damonfs_*.deb"
deb=${debs[0]}
echo "package: $(basename "$deb")"

# The file list.
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/files"
want=(/usr/sbin/damonfs /usr/bin/damonfs-run /usr/bin/damonfs-perf /usr/bin/damonfs-truth
      /usr/share/man/man1/damonfs-truth.1 /usr/share/man/man1/damonfs-run.1
      /usr/share/man/man8/damonfs.8 /usr/share/man/man5/damonfs-scenario.5
      /usr/share/doc/damonfs/docs/README.md)
for f in "$source"/scenarios/*; do want+=("/usr/share/damonfs/scenarios/$(basename "$f")"); done
for f in "${want[@]}"; do
  grep -qxF "$f" "$work/files" || fail "$f is not in the package"
done
echo "files: ${#want[@]} expected entries present"

# Declared dependencies: the shared libraries (dpkg-shlibdeps) and the
# programs the daemon and the launcher run.
depends=$(dpkg-deb -f "$deb" Depends)
for d in libfuse3 libnuma libyaml-cpp libstdc++ fuse3 python3 procps; do
  grep -q "\b$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done
echo "depends: $depends"

# Unpacked: the programs run from where they were installed.
root="$work/root"
dpkg-deb -x "$deb" "$root"
"$root/usr/sbin/damonfs" --help >"$work/help" || fail "damonfs --help failed"
grep -q -- "--machine" "$work/help" || fail "damonfs --help does not describe --machine"
"$root/usr/bin/damonfs-run" --help >/dev/null || fail "damonfs-run --help failed"

# The launcher finds the daemon beside it: mount, and ask which binary runs.
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/fuse ]; then
  echo "launcher mount not tried: needs root and /dev/fuse"
  exit 0
fi
exe=$(env -u DAMONFS PATH=/usr/bin:/bin "$root/usr/bin/damonfs-run" -- \
  sh -c 'readlink "/proc/$DAMONFS_PID/exe"') || fail "damonfs-run with the unpacked daemon failed"
[ "$exe" = "$(readlink -f "$root/usr/sbin/damonfs")" ] ||
  fail "damonfs-run ran $exe, not the unpacked $root/usr/sbin/damonfs"
echo "damonfs-run mounted with $exe"
