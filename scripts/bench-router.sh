#!/usr/bin/env bash
# The router benchmark behind docs/benchmarks.md: two `gannet serve` replicas on stories260K (ports 18481,
# 18482) behind `gannet router` (port 18480), driven by `gannet loadtest`:
#   1. a shared-prefix workload (11 system prompts, 4 requests each, shuffled) under --policy round-robin
#      and --policy prefix; the prefix-cache hit rate is read from the replicas' own /metrics;
#   2. --policy prefix, 40 streaming requests 8 at a time, and one replica killed (SIGKILL) once 8 have
#      finished: which requests failed, and whether they had started streaming (an error event inside a
#      200 stream is loadtest's "stream_error"; a request refused before its first byte would be http_5xx).
# Usage: scripts/bench-router.sh [OUT_DIR]   (default target/bench-router); about a minute on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-target/bench-router}
model=${GANNET_ROUTER_BENCH_MODEL:-$root/../shared/models/stories260K.gguf}
mkdir -p "$out"
: > "$out/summary.txt"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
await_ready() { for _ in $(seq 1 120); do curl -sf "$1/ready" >/dev/null && return 0; sleep 0.5; done; echo "$1 never ready" >&2; exit 1; }
metric() { curl -s "$1/metrics" | awk -v m="$2" '$1 ~ "^"m"(\\{|$)" {s += $2} END {printf "%d", s + 0}'; }
hits() { echo $(( $(metric "$r1" gannet:prefix_cache_hits_total) + $(metric "$r2" gannet:prefix_cache_hits_total) )); }
queries() { echo $(( $(metric "$r1" gannet:prefix_cache_queries_total) + $(metric "$r2" gannet:prefix_cache_queries_total) )); }

bin/gannet model inspect "$model" >/dev/null  # builds the jars once, before anything is timed
for port in 18481 18482; do
  bin/gannet serve --model "$model" --port "$port" --threads 1 --max-running 2 2> "$out/serve-$port.log" >/dev/null &
  pids+=($!)
done
r1=http://127.0.0.1:18481; r2=http://127.0.0.1:18482; router=http://127.0.0.1:18480
await_ready "$r1"; await_ready "$r2"

words=(little girl dog park ball happy sun tree cat red big friend play toy mom said saw went home day bird fish boat cake)
dataset() { # $1 = run tag: 11 groups x 4 prompts, each group with its own ~50-token story opening
  for g in $(seq 0 10); do
    open="Story $1 $g. Once upon a time"
    for w in $(seq 0 27); do open="$open ${words[$(( (g * 7 + w * 5) % 24 ))]}"; done
    for k in 0 1 2 3; do printf '{"prompt":"%s. Then %s %d said","max_tokens":8}\n' "$open" "${words[$(( (k * 3 + g) % 24 ))]}" "$k"; done
  done
}

start_router() {
  bin/gannet router --port 18480 --replica "$r1" --replica "$r2" --policy "$1" --prefix-chars 48 2> "$out/router-$1.log" &
  router_pid=$!; pids+=("$router_pid"); await_ready "$router"
}
stop_router() { kill -TERM "$router_pid"; wait "$router_pid" || true; }

for policy in round-robin prefix; do
  dataset "$policy" > "$out/prefix-$policy.jsonl"
  start_router "$policy"
  h0=$(hits); q0=$(queries)
  bin/gannet loadtest --url "$router" --dataset "$out/prefix-$policy.jsonl" --requests 44 --concurrency 4 \
    --seed 3 --out "$out/prefix-$policy" > "$out/prefix-$policy.txt"
  h1=$(hits); q1=$(queries)
  stop_router
  awk -v p="$policy" -v h=$((h1 - h0)) -v q=$((q1 - q0)) \
    'BEGIN {printf "policy %-11s prefix-cache hits %5d of %5d prompt tokens = %.3f\n", p, h, q, h / q}' | tee -a "$out/summary.txt"
done

dataset kill > "$out/kill.jsonl"
start_router prefix
bin/gannet loadtest --url "$router" --dataset "$out/kill.jsonl" --requests 40 --concurrency 8 --max-tokens 48 \
  --seed 5 --out "$out/kill" > "$out/kill.txt" &
load=$!
until [ "$(metric "$router" gannet_router_requests_total)" -ge 9 ]; do sleep 0.05; done  # 8 done (+ /v1/models)
kill -KILL "${pids[1]}"
wait "$load" || true
curl -s "$router/metrics" | grep -E '^gannet_router_(retries|ejections)_total' | sed 's/^/router: /' > "$out/kill-router-metrics.txt"
stop_router
python3 - "$out/kill/results.json" "$out/router-prefix.log" <<'PY' | tee -a "$out/summary.txt"
import json, sys
point = json.load(open(sys.argv[1]))["points"][0]
errors = point.get("errors", {})
print("kill one of two replicas after 8 of 40 streams: %d succeeded, errors by kind %s" % (point["succeeded"], errors or "{}"))
PY
tee -a "$out/summary.txt" < "$out/kill-router-metrics.txt"
