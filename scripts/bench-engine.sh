#!/usr/bin/env bash
# The engine benchmark behind docs/benchmarks.md: TinyLlama-1.1B shape, Q8_0, 2 threads, written by
# `gannet model synth` in the Llama SentencePiece vocabulary (no download), served by `gannet serve`
# and measured by `gannet loadtest`:
#   1. closed-loop sweep, 128-token prompts, 64 new tokens (ignore_eos), concurrency 1,4,8,16,32;
#   2. prefix caching: TTFT of 640-token prompts that share nothing vs. prompts that share a 512-token
#      system prompt, and the server's prefix-cache hit counters.
# Usage: scripts/bench-engine.sh [OUT_DIR]   (default docs/benchmarks/engine); takes ~10 minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-docs/benchmarks/engine}
models=${GANNET_BENCH_MODELS:-$root/.gannet/bench}
vocab=${GANNET_VOCAB:-$root/../shared/models/tokenizer/ggml-vocab-llama-spm.gguf}
model=$models/tinyllama-1.1b-q8_0.gguf
port=${GANNET_BENCH_PORT:-18480}
mkdir -p "$models" "$out"
[ -f "$model" ] || bin/gannet model synth --shape tinyllama-1.1b --dtype q8_0 --vocab "$vocab" --out "$model"

bin/gannet serve --model "$model" --port "$port" --threads 2 --max-batch-tokens 128 --max-running 32 \
  --kv-cache-memory 2GiB 2> "$out/serve.log" > /dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 1; done
url=http://127.0.0.1:$port
metric() { curl -s "$url/metrics" | awk -v m="$1" '$1 ~ "^"m"(\\{|$)" {s += $2} END {print s + 0}'; }

bin/gannet loadtest --url "$url" --prompt-tokens 128 --max-tokens 64 --concurrency 1,4,8,16,32 \
  --requests 32 --duration 60 --timeout 900 --warmup 1 --out "$out/sweep" | tee "$out/sweep.txt"

bin/gannet loadtest --url "$url" --prompt-tokens 640 --max-tokens 8 --concurrency 1 --requests 4 \
  --timeout 900 --seed 7 --out "$out/no-shared-prefix" | tee "$out/no-shared-prefix.txt"
q0=$(metric 'gannet:prefix_cache_queries_total'); h0=$(metric 'gannet:prefix_cache_hits_total')
bin/gannet loadtest --url "$url" --shared-prefix-tokens 512 --prompt-tokens 128 --max-tokens 8 --concurrency 1 \
  --requests 4 --timeout 900 --seed 7 --out "$out/shared-prefix" | tee "$out/shared-prefix.txt"
q1=$(metric 'gannet:prefix_cache_queries_total'); h1=$(metric 'gannet:prefix_cache_hits_total')
echo "prefix cache during the shared-prefix run: $((h1 - h0)) of $((q1 - q0)) prompt tokens served from the cache" \
  | tee "$out/prefix-cache.txt"
