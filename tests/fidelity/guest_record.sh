#!/bin/sh
# Runs inside a vmtest guest (busybox sh, a real kernel's DAMON): records
# what the kernel's DAMON sees of a masim configuration run on real memory.
#
# Usage: guest_record.sh RUNNER OUTDIR CONFIG...
#
# For each CONFIG, RUNNER (masim_runner) runs it while a vaddr kdamond
# monitors it with damo's default parameters (sample 5 ms, aggregation
# 100 ms, update 1 s; 10 to 1000 regions) and tracefs collects the
# damon_aggregated tracepoint (every region of every aggregation) and the
# runner's markers (its regions' addresses, when each phase starts).
# OUTDIR/NAME.trace is the tracefs text, OUTDIR/NAME.log the runner's
# output (accesses per ms and run time of each phase and access line, its
# AnonHugePages) and the kernel's THP mode ("thp: always [madvise] never").
set -eu
runner=$1 out=$2
shift 2
A=/sys/kernel/mm/damon/admin
T=/sys/kernel/tracing
for cfg in "$@"; do
  name=$(basename "$cfg" .cfg)
  echo 0 > $T/tracing_on
  echo > $T/trace
  echo 16384 > $T/buffer_size_kb
  echo 1 > $T/events/damon/damon_aggregated/enable
  echo 1 > $T/tracing_on
  # The runner waits for DAMON: it starts once the kdamond is on.
  mkfifo /tmp/go
  sh -c 'read x < /tmp/go; exec "$0" "$1" "$2"' "$runner" "$cfg" $T/trace_marker > "$out/$name.log" 2>&1 &
  pid=$!
  echo 1 > $A/kdamonds/nr_kdamonds
  echo 1 > $A/kdamonds/0/contexts/nr_contexts
  C=$A/kdamonds/0/contexts/0
  echo vaddr > $C/operations
  echo 5000 > $C/monitoring_attrs/intervals/sample_us
  echo 100000 > $C/monitoring_attrs/intervals/aggr_us
  echo 1000000 > $C/monitoring_attrs/intervals/update_us
  echo 10 > $C/monitoring_attrs/nr_regions/min
  echo 1000 > $C/monitoring_attrs/nr_regions/max
  echo 1 > $C/targets/nr_targets
  echo $pid > $C/targets/0/pid_target
  echo on > $A/kdamonds/0/state
  echo go > /tmp/go
  rm /tmp/go
  wait $pid || true
  echo "thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled)" >> "$out/$name.log"
  echo off > $A/kdamonds/0/state || true
  echo 0 > $T/tracing_on
  cat $T/trace > "$out/$name.trace"
  echo "$name: $(grep -c damon_aggregated "$out/$name.trace") aggregated regions"
done
