#!/usr/bin/env bash
# Served streams against llama.cpp's server, side by side in one run (docs/benchmarks.md, "Step-time budget").
# TinyLlama-1.1B shape (written by `gannet model synth`, Llama vocabulary), 2 threads, 128-token prompts,
# 64 new tokens (ignore_eos), distinct prompts, Poisson arrivals at RATE requests/s (an offered load that keeps
# about 8 streams in flight on this machine). `gannet loadtest --compare` interleaves the two servers on the
# same workload:
#   A = gannet serve with the step-time budget (max_step_ms auto, the default),
#   B = llama-server -np 8 -c 2048 -t 2 (its best setting for 8 streams);
# then the same workload on gannet serve with the budget off (max_step_ms 0), to show what the budget changes.
# Prints output tok/s, TTFT p50 and ITL p50/p99 per server and the ratios.
# Usage: scripts/bench-streams.sh [OUT_DIR]   (default docs/benchmarks/streams; env GANNET_BENCH_RATE=0.3,
# GANNET_BENCH_REQUESTS=24, GANNET_BENCH_DTYPE=q8_0). ~15 minutes; run it on an otherwise idle machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-docs/benchmarks/streams}
rate=${GANNET_BENCH_RATE:-0.3}
requests=${GANNET_BENCH_REQUESTS:-24}
dtype=${GANNET_BENCH_DTYPE:-q8_0}
models=${GANNET_BENCH_MODELS:-$root/.gannet/bench}
vocab=${GANNET_VOCAB:-$root/../shared/models/tokenizer/ggml-vocab-llama-spm.gguf}
peer=${GANNET_PEER:-$root/../shared/tools/llama-peer}
port=${GANNET_BENCH_PORT:-18501}
peer_port=$((port + 1))
model=$models/tinyllama-1.1b-$dtype.gguf
mkdir -p "$models" "$out"
[ -x "$peer" ] || { echo "bench-streams: no llama.cpp peer at $peer (set GANNET_PEER)" >&2; exit 2; }
[ -f "$model" ] || bin/gannet model synth --shape tinyllama-1.1b --dtype "$dtype" --vocab "$vocab" --out "$model"

pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_ready() { # URL
  for _ in $(seq 1 300); do curl -sf "$1" >/dev/null && return 0; sleep 1; done
  echo "bench-streams: $1 never became ready" >&2; exit 2
}
serve() { # STEP_MS LOG
  bin/gannet serve --model "$model" --port "$port" --threads 2 --max-running 32 --kv-cache-memory 2GiB \
    --max-step-ms "$1" 2> "$2" > /dev/null &
  pids+=($!)
  wait_ready "http://127.0.0.1:$port/ready"
}
load=(--prompt-tokens 128 --max-tokens 64 --rate "$rate" --requests "$requests" --duration 600 --timeout 900
      --warmup 1 --seed 11)

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$dtype, rate $rate/s, $requests requests" > "$out/run.txt"
serve auto "$out/serve-auto.log"
"$peer" llama-server -m "$model" --port "$peer_port" -np 8 -c 2048 -t 2 > "$out/llama-server.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$peer_port/health"
bin/gannet loadtest --url "http://127.0.0.1:$port" --compare "http://127.0.0.1:$peer_port" "${load[@]}" \
  --out "$out/auto-vs-llama" > "$out/auto-vs-llama.txt"
cleanup; pids=()
serve 0 "$out/serve-off.log"
bin/gannet loadtest --url "http://127.0.0.1:$port" "${load[@]}" --out "$out/off" > "$out/off.txt"

python3 - "$out" >> "$out/run.txt" <<'EOF'
import json, sys
out = sys.argv[1]
rows = {}
both = json.load(open(f"{out}/auto-vs-llama/results.json"))["points"]
rows["gannet (max_step_ms auto)"] = next(p for p in both if p["target"] == "A")
rows["llama-server -np 8"] = next(p for p in both if p["target"] == "B")
rows["gannet (max_step_ms 0)"] = json.load(open(f"{out}/off/results.json"))["points"][0]
print(f"| server | ok/sent | output tok/s | TTFT p50 ms | ITL p50 ms | ITL p99 ms | ITL p99/p50 |")
print("|---|---|---|---|---|---|---|")
for name, p in rows.items():
    itl = p["itlMs"]
    print(f"| {name} | {p['succeeded']}/{p['requests']} | {p['outputTokensPerS']:.1f} | {p['ttftMs']['p50']:.0f} | "
          f"{itl['p50']:.0f} | {itl['p99']:.0f} | {itl['p99'] / itl['p50']:.1f} |")
a, b = rows["gannet (max_step_ms auto)"], rows["llama-server -np 8"]
print(f"ratio gannet(auto)/llama-server: output tok/s {a['outputTokensPerS'] / b['outputTokensPerS']:.2f}x, "
      f"ITL p99 {b['itlMs']['p99'] / a['itlMs']['p99']:.2f}x (peer/ours), "
      f"TTFT p50 {b['ttftMs']['p50'] / a['ttftMs']['p50']:.2f}x (peer/ours)")
EOF
cat "$out/run.txt"
