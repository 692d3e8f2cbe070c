#!/usr/bin/env bash
# Copied from ../shared/anchors/etcd/ (the etcd anchor scripts), unchanged; used by bench/cluster.mjs.
# Start a 3-member etcd cluster on 127.0.0.1 in the background.
#   client ports 23790-23792, peer ports 23800-23802
#   data dirs:  $BENCH_DIR/m{0,1,2}.etcd   (default BENCH_DIR=/tmp/etcd-bench)
#   pid files:  $BENCH_DIR/m{0,1,2}.pid    (used by stop-cluster.sh; nothing is killed by name)
#   logs:       $BENCH_DIR/m{0,1,2}.log
# Extra etcd flags for every member may be passed via ETCD_EXTRA_FLAGS.
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/tmp/etcd-bench}
ETCD=${ETCD:-/usr/bin/etcd}
ETCDCTL=${ETCDCTL:-/usr/bin/etcdctl}
export ETCDCTL_API=3

mkdir -p "$BENCH_DIR"

for i in 0 1 2; do
  if [[ -f "$BENCH_DIR/m$i.pid" ]] && kill -0 "$(cat "$BENCH_DIR/m$i.pid")" 2>/dev/null; then
    echo "member m$i already running (pid $(cat "$BENCH_DIR/m$i.pid")); run stop-cluster.sh first" >&2
    exit 1
  fi
done

CLUSTER="m0=http://127.0.0.1:23800,m1=http://127.0.0.1:23801,m2=http://127.0.0.1:23802"
TOKEN="etcd-bench-$$-$(date +%s)"
ENDPOINTS="http://127.0.0.1:23790,http://127.0.0.1:23791,http://127.0.0.1:23792"

for i in 0 1 2; do
  rm -rf "$BENCH_DIR/m$i.etcd"
  # shellcheck disable=SC2086
  nohup "$ETCD" \
    --name "m$i" \
    --data-dir "$BENCH_DIR/m$i.etcd" \
    --listen-client-urls "http://127.0.0.1:2379$i" \
    --advertise-client-urls "http://127.0.0.1:2379$i" \
    --listen-peer-urls "http://127.0.0.1:2380$i" \
    --initial-advertise-peer-urls "http://127.0.0.1:2380$i" \
    --initial-cluster "$CLUSTER" \
    --initial-cluster-token "$TOKEN" \
    --initial-cluster-state new \
    --logger zap --log-outputs stderr \
    ${ETCD_EXTRA_FLAGS:-} \
    >"$BENCH_DIR/m$i.log" 2>&1 &
  echo $! >"$BENCH_DIR/m$i.pid"
  echo "started m$i pid $(cat "$BENCH_DIR/m$i.pid")"
done

# Wait until all three members report healthy (max ~30 s).
for attempt in $(seq 1 60); do
  if "$ETCDCTL" --endpoints="$ENDPOINTS" --command-timeout=2s endpoint health >/dev/null 2>&1; then
    "$ETCDCTL" --endpoints="$ENDPOINTS" endpoint health
    "$ETCDCTL" --endpoints="$ENDPOINTS" -w table endpoint status
    exit 0
  fi
  for i in 0 1 2; do
    if ! kill -0 "$(cat "$BENCH_DIR/m$i.pid")" 2>/dev/null; then
      echo "member m$i died; see $BENCH_DIR/m$i.log" >&2
      tail -20 "$BENCH_DIR/m$i.log" >&2
      exit 1
    fi
  done
  sleep 0.5
done
echo "cluster did not become healthy in time" >&2
"$ETCDCTL" --endpoints="$ENDPOINTS" endpoint health || true
exit 1
