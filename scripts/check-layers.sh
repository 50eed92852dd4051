#!/bin/sh
# Checks that every engine layer includes only the layers below it
# (docs/code-layout.md):
#
#   params.h, clock.h, log.h  <  machine/  <  core/  <  ops/, damos/  <  kdamond/
#
# machine/sim and machine/host implement the Machine interface and see only
# it; fs/tree sees the engine only through params.h. Prints each include
# that goes the wrong way and exits 1 when there is one.
set -eu
cd "$(dirname "$0")/.."

base='engine/params\.h|engine/clock\.h|engine/log\.h'
machine="$base|engine/machine/[a-z_]+\.h"
status=0

# check DIR ALLOWED: every #include "engine/..." in DIR must match ALLOWED.
check() {
  dir=$1
  allowed=$2
  bad=$(grep -rnoE '#include "engine/[^"]+"' "$dir" --include='*.h' --include='*.cpp' |
        grep -vE "#include \"($allowed)\"" || true)
  if [ -n "$bad" ]; then
    echo "$dir includes outside its layer:"
    echo "$bad" | sed 's/^/  /'
    status=1
  fi
}

check engine/machine/sim "$machine|engine/machine/sim/.*"
check engine/machine/host "$machine|engine/machine/host/.*"
check engine/core "$machine|engine/core/.*"
check engine/ops "$machine|engine/core/.*|engine/ops/.*"
check engine/damos "$machine|engine/core/.*|engine/damos/.*"
check engine/kdamond "$machine|engine/(core|ops|damos|kdamond)/.*"
check fs/tree "$base"

# The machine interface headers themselves sit below everything.
bad=$(grep -noE '#include "engine/[^"]+"' engine/machine/*.h engine/params.h engine/clock.h engine/log.h |
      grep -vE "#include \"($machine)\"" || true)
if [ -n "$bad" ]; then
  echo "engine/machine/*.h, params.h, clock.h, log.h include upper layers:"
  echo "$bad" | sed 's/^/  /'
  status=1
fi

[ "$status" -eq 0 ] && echo "layering: ok"
exit "$status"
