#!/usr/bin/env bash
# Copied from ../shared/anchors/etcd/ (the etcd anchor scripts), unchanged; used by bench/cluster.mjs.
# Stop the 3 etcd members started by run-cluster.sh, by the PIDs saved in
# $BENCH_DIR/m{0,1,2}.pid (never by process name), then remove their data dirs.
# Set KEEP_LOGS=0 to also remove the log files.
set -uo pipefail

BENCH_DIR=${BENCH_DIR:-/tmp/etcd-bench}

for i in 0 1 2; do
  pidfile="$BENCH_DIR/m$i.pid"
  [[ -f "$pidfile" ]] || { echo "m$i: no pid file"; continue; }
  pid=$(cat "$pidfile")
  # Only signal the pid if it is still the etcd we started (guards against pid reuse).
  if kill -0 "$pid" 2>/dev/null && grep -q -- "--data-dir" "/proc/$pid/cmdline" 2>/dev/null \
     && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$BENCH_DIR/m$i.etcd"; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "m$i (pid $pid) did not exit on TERM; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "m$i: stopped pid $pid"
  else
    echo "m$i: pid $pid not running (or not our etcd)"
  fi
  rm -f "$pidfile"
  rm -rf "$BENCH_DIR/m$i.etcd"
  [[ "${KEEP_LOGS:-1}" == "0" ]] && rm -f "$BENCH_DIR/m$i.log"
done
exit 0
