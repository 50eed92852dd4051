#!/usr/bin/env bash
# Installs what damonfs needs to build, run and test on Debian 12, and makes
# sure the FUSE device is usable. Idempotent: a second run installs nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libfuse3-dev fuse3 libnuma-dev numactl libboost-dev libyaml-cpp-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  python3 python3-yaml procps file util-linux
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: not root and no sudo: install ${packages[*]} by hand" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# FUSE needs the kernel module and /dev/fuse (containers often lack the node).
if [ ! -c /dev/fuse ]; then
  "${sudo_cmd[@]}" modprobe fuse 2>/dev/null || true
  [ -c /dev/fuse ] || "${sudo_cmd[@]}" mknod -m 0666 /dev/fuse c 10 229
fi
[ -c /dev/fuse ] || { echo "setup: /dev/fuse is missing and could not be created" >&2; exit 1; }
