#!/usr/bin/env bash
# Mounts damonfs with the Linux 6.18 profile on a fresh temporary mount point
# and runs the shared conformance probe against it.
# Usage: scripts/conformance.sh DAMONFS_BINARY CONFORMANCE_DIR [probe args...]
set -euo pipefail
bin=$1 conf=$2; shift 2
mnt=$(mktemp -d /tmp/damonfs-conformance.XXXXXX)
cleanup() { fusermount3 -u "$mnt" 2>/dev/null || true; rmdir "$mnt" 2>/dev/null || true; }
trap cleanup EXIT
"$bin" --abi 6.18 --machine sim "$mnt"
python3 "$conf/probe.py" check "$mnt/admin" "$conf/expected.json" "$@"
