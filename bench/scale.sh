#!/usr/bin/env bash
# scale.sh: many connections over several ticker pods on one NATS (or a
# 3-node NATS cluster), with one pod drained mid-run, on this machine only.
#
#   bench/scale.sh                                   # 95,000 connections over 5 pods, one drained at 38 s
#   CONNS=2000 PODS=3 DURATION=20s DRAIN_AT=8s bench/scale.sh
#   CLUSTER=3 bench/scale.sh                         # the pods spread over a 3-node NATS cluster
#   DRAIN_AT=0 bench/scale.sh                        # no drain: the "before" of the drain
#   flock /tmp/ticker-bench.lock bench/scale.sh      # on a machine others benchmark on too
#
# What it does:
#   1. builds ticker and feedsim once into a temporary directory;
#   2. starts Debian's nats-server with JetStream (CLUSTER=3: three of them
#      routed into one cluster, the snapshot stream with 3 replicas), pinned
#      to core 1, and waits until JetStream is ready;
#   3. starts PODS ticker pods pinned to core 0 (one core for all of them, so
#      GOMAXPROCS=1 each), pod i on NATS node i % CLUSTER, each allowed
#      MAX_CONNS connections (under the 20,000 descriptors a process gets);
#   4. runs feedsim load pinned to core 1: CONNS connections in all over
#      PROCS processes and SRC_IPS source addresses (127.0.0.2 on), one
#      subject each of SUBJECTS, RATE updates/s in all for DURATION, with the
#      URLs of every pod (connection i starts on pod i % PODS; a moved one
#      goes to another pod at random);
#   5. DRAIN_AT after publishing starts, sends SIGTERM to pod 0 (drain
#      window DRAIN_WINDOW) and checks that it exits 0;
#   6. samples every pod each second (/proc for CPU and RSS, /metrics for
#      connections and deliveries) and prints, per pod and in all: connect
#      time and rate, RSS per idle connection, deliveries/s, server CPU
#      seconds per 1M deliveries, before and after the drain; then the
#      load's figures: delivered, lost, dup, p50/p99/p999, refusals, and the
#      time from the first 1001 until every moved client was resubscribed;
#      and how busy each core was (/proc/stat) while publishing before the
#      drain and from the SIGTERM until the last resubscribe, which says
#      whether the pods' core or the load generator's set the drain's pace.
#
# Latency is end to end and only in all (the load generator does not split
# it by pod). Everything listens on 127.0.0.1 on free ports; every process
# started here is stopped on exit, whatever happens, and the whole run is
# bounded by DURATION + RAMP + WARMUP + 3 minutes. The reports, samples and
# logs stay in $OUT (default: a temporary directory, printed at the end).
#
# Scenario (environment): PODS (5), CONNS (95000), SUBJECTS (1000), RATE
# (200), DURATION (60s), RAMP (40s), WARMUP (5s), DRAIN_AT (38s; 0: no
# drain), DRAIN_WINDOW (5s), CLUSTER (1 or 3), PROCS (6), SRC_IPS (12),
# MAX_CONNS (19900 per pod), CODEC (json), PROFILE (0; N: a CPU profile of
# pod 1 for the N seconds from the SIGTERM, in $OUT/pod1-drain.pprof, served
# by its --pprof-listen on loopback), POD_ARGS (more flags for every pod,
# e.g. "--accept-latency -1s"), NATS_NICE (0; -15: NATS before the load
# generator on their shared core, so that the load's own work does not
# delay the deliveries it measures). Durations are whole seconds (40s) or
# minutes (2m). Extra arguments go to feedsim load.
set -euo pipefail

PODS=${PODS:-5}
CONNS=${CONNS:-95000}
SUBJECTS=${SUBJECTS:-1000}
RATE=${RATE:-200}
DURATION=${DURATION:-60s}
RAMP=${RAMP:-40s}
WARMUP=${WARMUP:-5s}
DRAIN_AT=${DRAIN_AT:-38s}
DRAIN_WINDOW=${DRAIN_WINDOW:-5s}
CLUSTER=${CLUSTER:-1}
PROCS=${PROCS:-6}
SRC_IPS=${SRC_IPS:-12}
MAX_CONNS=${MAX_CONNS:-19900}
CODEC=${CODEC:-json}

# seconds D: D (as 40s, 2m or 40) in whole seconds.
seconds() {
  case $1 in
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}
duration_s=$(seconds "$DURATION")
drain_s=$(seconds "$DRAIN_AT")
bound_s=$((duration_s + $(seconds "$RAMP") + $(seconds "$WARMUP") + 180))
if [ "$CLUSTER" != 1 ] && [ "$CLUSTER" != 3 ]; then
  echo "scale: CLUSTER is 1 or 3, not $CLUSTER" >&2
  exit 2
fi
if [ "$PODS" -lt 2 ] && [ "$drain_s" -gt 0 ]; then
  echo "scale: a drain needs PODS >= 2" >&2
  exit 2
fi
if ! command -v nats-server >/dev/null; then
  echo "scale: needs Debian's nats-server (apt-get install nats-server)" >&2
  exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$PATH:/usr/local/go/bin"
tmp=$(mktemp -d -t ticker-scale-XXXXXX)
OUT=${OUT:-$tmp}
mkdir -p "$OUT"
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait_gone "$pid" 15 || kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$OUT" != "$tmp" ]; then rm -rf "$tmp"; else rm -rf "$tmp/bin" "$tmp"/js*; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_gone PID SECONDS: true once PID has exited.
wait_gone() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# listening PORT: true if something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port: a loopback port nobody listens on now, nor was handed out here.
taken=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    case $taken in *" $p "*) continue ;; esac
    listening "$p" && continue
    taken="$taken$p "
    echo "$p"
    return
  done
}

# wait_ok URL PID: waits until URL answers 200, failing if PID died.
wait_ok() {
  local i
  for ((i = 0; i < 600; i++)); do
    curl -fs -o /dev/null --max-time 1 "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "process $2 died before $1 answered" >&2; return 1; }
    sleep 0.1
  done
  echo "$1 does not answer after 60s" >&2
  return 1
}

now_ms() { date +%s%3N; }

pods_cpu=() load_cpu=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  pods_cpu=(taskset -c 0)
  load_cpu=(taskset -c 1)
else
  echo "scale: fewer than 2 CPUs or no taskset: nothing is pinned" >&2
fi

echo "== building into $tmp/bin"
mkdir -p "$tmp/bin"
(cd "$root" && go build -o "$tmp/bin/ticker" ./cmd/ticker && go build -o "$tmp/bin/feedsim" ./cmd/feedsim)
ticker=$tmp/bin/ticker
feedsim=$tmp/bin/feedsim
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)

# NATS: one server, or three routed into a cluster.
nats_urls=()
cluster_ports=()
for ((n = 0; n < CLUSTER; n++)); do cluster_ports+=("$(free_port)"); done
for ((n = 0; n < CLUSTER; n++)); do
  port=$(free_port) mport=$(free_port)
  args=(-a 127.0.0.1 -p "$port" -m "$mport" -js -sd "$tmp/js$n" -n "node$n")
  if [ "$CLUSTER" -gt 1 ]; then
    routes=()
    for ((m = 0; m < CLUSTER; m++)); do
      [ "$m" = "$n" ] || routes+=("nats://127.0.0.1:${cluster_ports[m]}")
    done
    args+=(--cluster_name ticker --cluster "nats://127.0.0.1:${cluster_ports[n]}" --routes "$(IFS=,; echo "${routes[*]}")")
  fi
  "${load_cpu[@]}" nice -n "${NATS_NICE:-0}" nats-server "${args[@]}" >"$OUT/nats$n.log" 2>&1 &
  pids+=($!)
  nats_urls+=("nats://127.0.0.1:$port")
  nats_mon+=("http://127.0.0.1:$mport/healthz")
  nats_pids+=($!)
done
for ((n = 0; n < CLUSTER; n++)); do wait_ok "${nats_mon[n]}" "${nats_pids[n]}"; done
echo "== NATS: $CLUSTER node(s) with JetStream: ${nats_urls[*]} ($(nats-server --version))"

# Pods. Pod 0 is the one drained.
replicas=1
[ "$CLUSTER" -gt 1 ] && replicas=3
pod_pids=() pod_metrics=() urls=() pprof_url=
for ((i = 0; i < PODS; i++)); do
  port=$(free_port)
  extra=()
  if [ "${PROFILE:-0}" -gt 0 ] && [ "$i" -eq 1 ]; then
    pprof_port=$(free_port)
    extra=(--pprof-listen "127.0.0.1:$pprof_port")
    pprof_url="http://127.0.0.1:$pprof_port/debug/pprof/profile?seconds=$PROFILE"
  fi
  "${pods_cpu[@]}" "$ticker" --listen "127.0.0.1:$port" --nats-url "${nats_urls[i % CLUSTER]}" \
    --snapshot-replicas "$replicas" --max-conns "$MAX_CONNS" --max-conns-per-ip -1 \
    --drain-window "$DRAIN_WINDOW" --log-level warn "${extra[@]}" ${POD_ARGS:-} >"$OUT/pod$i.log" 2>&1 &
  pids+=($!)
  pod_pids+=($!)
  pod_metrics+=("http://127.0.0.1:$port/metrics")
  urls+=("ws://127.0.0.1:$port/ws")
  wait_ok "http://127.0.0.1:$port/readyz" "${pod_pids[i]}"
done
echo "== $PODS pods on core 0, up to $MAX_CONNS connections each: ${urls[*]}"

# The sampler: one line per pod a second, "ms pod conns deliveries cpu_ticks rss_kb".
samples=$OUT/samples.txt
sample() {
  [ ${#load_cpu[@]} -gt 0 ] && taskset -cp 1 "$BASHPID" >/dev/null
  local i t stat rss m conns deliv
  while :; do
    t=$(now_ms)
    # All pods at once: a busy pod may take seconds to answer.
    for ((i = 0; i < PODS; i++)); do
      curl -fs --max-time 3 -o "$tmp/metrics$i" "${pod_metrics[i]}" 2>/dev/null || : >"$tmp/metrics$i" &
    done
    wait
    for ((i = 0; i < PODS; i++)); do
      stat=$(cut -d' ' -f14,15 "/proc/${pod_pids[i]}/stat" 2>/dev/null) || continue
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/${pod_pids[i]}/status" 2>/dev/null) || continue
      m=$(cat "$tmp/metrics$i")
      [ -n "$m" ] || continue
      conns=$(awk '$1 ~ /^ticker_connections[{]/ {s += $2} END {printf "%d", s}' <<<"$m")
      deliv=$(awk '$1 == "ticker_deliveries_total" {printf "%d", $2}' <<<"$m")
      [ -n "$deliv" ] || continue
      echo "$t $i $conns $deliv $((${stat% *} + ${stat#* })) $rss"
    done
    # Both cores: "ms busy0 total0 busy1 total1" in clock ticks since boot.
    awk -v t="$t" '$1 == "cpu0" || $1 == "cpu1" {tot = 0; for (f = 2; f <= 9; f++) tot += $f; b = b " " tot - $5 - $6 " " tot}
      END {print t b}' /proc/stat >>"$cores"
    sleep 1
  done
}
cores=$OUT/cores.txt
: >"$cores"
sample >"$samples" &
pids+=($!)
sleep 2 # a first sample of every pod before any connection

echo "== load: $CONNS conns × 1 of $SUBJECTS subjects, $RATE updates/s for $DURATION, $PROCS processes, $SRC_IPS source addresses"
load_start=$(now_ms)
metrics_args=()
for ((i = 1; i < PODS; i++)); do metrics_args+=(--metrics-url "${pod_metrics[i]}"); done
[ "$drain_s" -gt 0 ] || metrics_args+=(--metrics-url "${pod_metrics[0]}")
"${load_cpu[@]}" timeout --signal=INT --kill-after=30 "$bound_s" "$feedsim" load \
  --url "$(IFS=,; echo "${urls[*]}")" --nats-url "${nats_urls[0]}" \
  --conns "$CONNS" --subs-per-conn 1 --subjects "$SUBJECTS" --rate "$RATE" --duration "$DURATION" \
  --ramp "$RAMP" --warmup "$WARMUP" --codec "$CODEC" --procs "$PROCS" \
  --src-ips "127.0.0.2-127.0.0.$((SRC_IPS + 1))" --label "scale-$PODS-pods-nats$CLUSTER" \
  --json "$OUT/load.json" "${metrics_args[@]}" "$@" >"$OUT/load.txt" 2>"$OUT/load.log" &
load_pid=$!
pids+=("$load_pid")

# Publishing starts once every connection is up and the warmup is over.
publish_start=
while kill -0 "$load_pid" 2>/dev/null; do
  if grep -q 'msg=publishing' "$OUT/load.log"; then
    publish_start=$(now_ms)
    break
  fi
  sleep 0.2
done
drain_ms= drain_rc= before=
if [ -n "$publish_start" ] && [ "$drain_s" -gt 0 ]; then
  sleep "$drain_s"
  if kill -0 "$load_pid" 2>/dev/null; then
    drain_ms=$(now_ms)
    before=$(grep '^t=' "$OUT/load.log" | tail -n 1)
    echo "== SIGTERM to pod 0 (drain window $DRAIN_WINDOW); the load just before: $before"
    kill -TERM "${pod_pids[0]}"
    if [ -n "$pprof_url" ]; then
      curl -fsS -o "$OUT/pod1-drain.pprof" "$pprof_url" &
    fi
    drain_rc=0
    wait "${pod_pids[0]}" || drain_rc=$?
    echo "== pod 0 exited $drain_rc after $((($(now_ms) - drain_ms) / 1000))s"
  fi
fi
load_rc=0
wait "$load_pid" || load_rc=$?
[ -n "$publish_start" ] || publish_start=$(now_ms)
publish_end=$((publish_start + duration_s * 1000))
sleep 1

echo
cat "$OUT/load.txt"
echo
echo "== per pod (from /proc and each pod's /metrics, sampled every second; commit $commit)"
awk -v share=$((CONNS / PODS)) -v start="$load_start" -v pub="$publish_start" -v end="$publish_end" \
  -v drain="${drain_ms:-0}" -v tck="$(getconf CLK_TCK)" -v pods="$PODS" -f "$root/bench/scale.awk" "$samples" |
  tee "$OUT/pods.txt"
echo
jq -r '"in all: delivered \(.delivered_pct)% of \(.expected) (lost \(.lost), dup \(.dup), conflated \(.conflated)), \(.deliveries_per_sec|floor) deliveries/s",
  "latency ms: p50 \(.latency_ms.p50)  p99 \(.latency_ms.p99)  p999 \(.latency_ms.p999)  max \(.latency_ms.max)",
  "connections: \(.subscribed) subscribed of \(.conns); connect errors \(.connect_errors); refusals (1013/503, retried) \(.refusals); reconnects \(.reconnects); disconnects \(.disconnects)",
  (if .moves then "drain: \(.moves.going_away) closed with 1001, \(.moves.try_again_later) with 1013; resubscribed \(.moves.resubscribed); from the first 1001 to the last resubscribe \(.moves.span_ms|floor) ms (longest one client \(.moves.max_gap_ms|floor) ms)" else "drain: no connection moved" end),
  (if .moves.stayed and .moves.before then "while they moved, the connections that stayed: p99 \(.moves.stayed.p99) p999 \(.moves.stayed.p999) ms; before the first close: p99 \(.moves.before.p99) p999 \(.moves.before.p999) ms" else empty end)' \
  "$OUT/load.json" | tee "$OUT/summary.txt"
# busy FROM_MS TO_MS: how busy each core was between the two times, from
# the samples of /proc/stat nearest inside them.
busy() {
  awk -v from="$1" -v to="$2" '$1 >= from && $1 <= to {if (!n++) {b0 = $2; t0 = $3; b1 = $4; t1 = $5}; e0 = $2; u0 = $3; e1 = $4; u1 = $5}
    END {if (n > 1 && u0 > t0 && u1 > t1) printf "core 0 (pods) %.0f%% busy, core 1 (NATS and load) %.0f%%", 100 * (e0 - b0) / (u0 - t0), 100 * (e1 - b1) / (u1 - t1); else printf "no samples"}' "$cores"
}
echo "cores while publishing, before any drain: $(busy "$publish_start" "${drain_ms:-$publish_end}")" | tee -a "$OUT/summary.txt"
if [ -n "$drain_rc" ]; then
  span=$(jq -r '.moves.span_ms // 0 | floor' "$OUT/load.json")
  echo "cores from the SIGTERM until the last resubscribe: $(busy "$drain_ms" $((drain_ms + span + 1000)))" | tee -a "$OUT/summary.txt"
  echo "just before the drain (p99 since the start): $before" | tee -a "$OUT/summary.txt"
  echo "pod 0 drain exit code: $drain_rc" | tee -a "$OUT/summary.txt"
fi
echo "feedsim exit code: $load_rc" | tee -a "$OUT/summary.txt"
echo
echo "reports, samples and logs: $OUT"
[ "$load_rc" = 0 ] && [ "${drain_rc:-0}" = 0 ]
