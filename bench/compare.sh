#!/usr/bin/env bash
# compare.sh: one command to compare ticker with the reference fan-out server
# (feedsim rawserver) under the same load, on this machine only.
#
#   bench/compare.sh                      # the default scenario, 50k deliveries/s
#   CONNS=5000 RATE=1000 DURATION=30s bench/compare.sh
#   bench/compare.sh --stall 5            # extra flags go to every feedsim load
#
# What it does:
#   1. builds ticker and feedsim into a temporary directory;
#   2. starts one standalone NATS with JetStream for all runs, so that no
#      server under test pays for NATS in its own CPU figures: the Debian
#      nats-server if it is installed, otherwise a ticker with --no-feed used
#      only for its embedded NATS (its own gateway stays idle);
#   3. for each server (raw, ticker, ticker with --flush-interval 10ms): starts
#      it fresh pinned to core 0, runs feedsim load pinned to core 1 (NATS
#      shares core 1: it does little per update), keeps the JSON report, and
#      stops the server;
#   4. prints feedsim compare: deliveries/s, delivered %, latency, server CPU
#      seconds per 1M deliveries and RSS per idle connection, with ratios to
#      the raw server.
#
# Everything listens on 127.0.0.1 on free ports; every process started here
# is stopped on exit, whatever happens. With fewer than 2 CPUs or no taskset,
# nothing is pinned. The reports stay in $OUT (default: a temporary
# directory, printed at the end).
#
# Scenario (environment): CONNS (2000), SUBS (10 per connection), SUBJECTS
# (100), RATE (250 updates/s), DURATION (20s), CODEC (json), RAMP (5s),
# WARMUP (2s), SERVERS ("raw ticker ticker-flush10ms"; any ticker-flush<D>
# runs ticker with --flush-interval <D>, e.g. ticker-flush50ms; ticker-delta
# has every client subscribe with field deltas; ticker-deflate runs ticker
# with --compression context-takeover and clients that offer it,
# ticker-deflate-nct the same with no-context-takeover; ticker-delta-deflate
# both deltas and context takeover; ticker-base runs the ticker binary at
# $TICKER_BASE instead of the one built here, e.g. main's, for a before and
# after in one run).
#
#   SERVERS="raw ticker ticker-delta ticker-deflate ticker-deflate-nct" bench/compare.sh
#   go build -o /tmp/ticker-main ./cmd/ticker   # on main
#   TICKER_BASE=/tmp/ticker-main SERVERS="raw ticker-base ticker raw ticker-base ticker" bench/compare.sh
#
# A server named more than once runs again and gets a report of its own
# (raw, raw.2, ...). Ticker's own settings come from its environment as
# usual (TICKER_MAX_CONNS=-1 for more than 10,000 connections).
set -euo pipefail

CONNS=${CONNS:-2000}
SUBS=${SUBS:-10}
SUBJECTS=${SUBJECTS:-100}
RATE=${RATE:-250}
DURATION=${DURATION:-20s}
CODEC=${CODEC:-json}
RAMP=${RAMP:-5s}
WARMUP=${WARMUP:-2s}
SERVERS=${SERVERS:-raw ticker ticker-flush10ms}

root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$PATH:/usr/local/go/bin"
tmp=$(mktemp -d -t ticker-compare-XXXXXX)
OUT=${OUT:-$tmp}
mkdir -p "$OUT"
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$OUT" != "$tmp" ]; then rm -rf "$tmp"; else rm -rf "$tmp/bin"; fi
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

# free_port: a loopback port nobody listens on now.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    listening "$p" || { echo "$p"; return; }
  done
}

# wait_port PORT PID: waits until PORT answers, failing if PID died.
wait_port() {
  local i
  for ((i = 0; i < 300; i++)); do
    listening "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "process $2 died before listening on $1" >&2; return 1; }
    sleep 0.1
  done
  echo "nothing listens on $1 after 30s" >&2
  return 1
}

# stop PID: SIGTERM, then SIGKILL after 15 s.
stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait_gone "$1" 15 || kill -KILL "$1" 2>/dev/null || true
}

server_cpu=() load_cpu=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_cpu=(taskset -c 0)
  load_cpu=(taskset -c 1)
else
  echo "compare: fewer than 2 CPUs or no taskset: nothing is pinned" >&2
fi

echo "== building into $tmp/bin"
mkdir -p "$tmp/bin"
(cd "$root" && go build -o "$tmp/bin/ticker" ./cmd/ticker && go build -o "$tmp/bin/feedsim" ./cmd/feedsim)
ticker=$tmp/bin/ticker
feedsim=$tmp/bin/feedsim

nats_port=$(free_port)
if command -v nats-server >/dev/null; then
  echo "== NATS: nats-server with JetStream on 127.0.0.1:$nats_port"
  # JetStream as in production: ticker keeps the last value of every subject
  # in a stream there (see docs/scaling.md).
  "${load_cpu[@]}" nats-server -a 127.0.0.1 -p "$nats_port" -js -sd "$tmp/jetstream" >"$OUT/nats.log" 2>&1 &
else
  echo "== NATS: ticker's embedded server on 127.0.0.1:$nats_port (no nats-server installed)"
  "${load_cpu[@]}" "$ticker" --no-feed --listen "127.0.0.1:$(free_port)" --nats-listen "127.0.0.1:$nats_port" \
    --log-level warn >"$OUT/nats.log" 2>&1 &
fi
nats_pid=$!
pids+=("$nats_pid")
wait_port "$nats_port" "$nats_pid"
nats_url=nats://127.0.0.1:$nats_port

run() {
  local name=$1 label=$2 port pid
  shift 2
  port=$(free_port)
  local extra=() compression=off
  case $name in
    *delta*) extra+=(--delta) ;;
  esac
  case $name in
    *deflate-nct*) compression=no-context-takeover ;;
    *deflate*) compression=context-takeover ;;
  esac
  if [ "$compression" != off ]; then extra+=(--compression "$compression"); fi
  case $name in
    raw) "${server_cpu[@]}" "$feedsim" rawserver --listen "127.0.0.1:$port" --nats-url "$nats_url" \
      >"$OUT/$label.server.log" 2>&1 & ;;
    ticker-base) "${server_cpu[@]}" "${TICKER_BASE:?ticker-base needs TICKER_BASE, a ticker binary}" --listen "127.0.0.1:$port" \
      --nats-url "$nats_url" --drain-window 1s --log-level warn >"$OUT/$label.server.log" 2>&1 & ;;
    ticker | ticker-delta* | ticker-deflate*) "${server_cpu[@]}" "$ticker" --listen "127.0.0.1:$port" --nats-url "$nats_url" \
      --drain-window 1s --compression "$compression" --log-level warn >"$OUT/$label.server.log" 2>&1 & ;;
    ticker-flush*) "${server_cpu[@]}" "$ticker" --listen "127.0.0.1:$port" --nats-url "$nats_url" --drain-window 1s \
      --flush-interval "${name#ticker-flush}" --log-level warn >"$OUT/$label.server.log" 2>&1 & ;;
    *) echo "unknown server $name" >&2; return 1 ;;
  esac
  pid=$!
  pids+=("$pid")
  wait_port "$port" "$pid"
  echo "== $label: $CONNS conns × $SUBS of $SUBJECTS subjects, $RATE updates/s for $DURATION ($CODEC)"
  "${load_cpu[@]}" "$feedsim" load --url "ws://127.0.0.1:$port/ws" --nats-url "$nats_url" \
    --conns "$CONNS" --subs-per-conn "$SUBS" --subjects "$SUBJECTS" --rate "$RATE" --duration "$DURATION" \
    --codec "$CODEC" --ramp "$RAMP" --warmup "$WARMUP" --label "$label" --json "$OUT/$label.json" "${extra[@]}" "$@" \
    2>"$OUT/$label.load.log"
  stop "$pid"
}

reports=()
declare -A seen=()
for name in $SERVERS; do
  seen[$name]=$((${seen[$name]:-0} + 1))
  label=$name
  if [ "${seen[$name]}" -gt 1 ]; then label=$name.${seen[$name]}; fi
  run "$name" "$label" "$@"
  reports+=("$OUT/$label.json")
done

echo
echo "== comparison (ratios: each server / the first)"
args=(--raw "${reports[0]}")
for r in "${reports[@]:1}"; do args+=(--ticker "$r"); done
if [ ${#reports[@]} -ge 2 ]; then
  "$feedsim" compare "${args[@]}"
fi
echo
echo "reports and logs: $OUT"
