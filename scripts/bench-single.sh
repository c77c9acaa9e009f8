#!/usr/bin/env bash
# Single-sequence speed behind docs/benchmarks.md (the CPU model-runtime figures): TinyLlama-1.1B shape in
# Q8_0, Q4_0 and F16 (written by `gannet model synth` in the Llama SentencePiece vocabulary), 2 threads.
# Each type is served warm (`gannet serve`, one warm-up request) and measured by `gannet loadtest` at
# concurrency 1 with 128-token prompts and 64 new tokens: prompt tokens/s = 128 / TTFT, decode tokens/s =
# 1000 / median inter-token gap. Usage: scripts/bench-single.sh [OUT_DIR] (default docs/benchmarks/single).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-docs/benchmarks/single}
models=${GANNET_BENCH_MODELS:-$root/.gannet/bench}
vocab=${GANNET_VOCAB:-$root/../shared/models/tokenizer/ggml-vocab-llama-spm.gguf}
port=${GANNET_BENCH_PORT:-18490}
mkdir -p "$models" "$out"
for dtype in ${GANNET_BENCH_DTYPES:-q8_0 q4_0 f16}; do
  model=$models/tinyllama-1.1b-$dtype.gguf
  [ -f "$model" ] || bin/gannet model synth --shape tinyllama-1.1b --dtype "$dtype" --vocab "$vocab" --out "$model"
  bin/gannet serve --model "$model" --port "$port" --threads 2 2> "$out/serve-$dtype.log" > /dev/null &
  server=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 1; done
  bin/gannet loadtest --url "http://127.0.0.1:$port" --prompt-tokens 128 --max-tokens 64 --concurrency 1 \
    --requests 3 --warmup 1 --timeout 900 --out "$out/$dtype" > "$out/$dtype.txt"
  kill -TERM $server; wait $server || true
  python3 - "$out/$dtype/results.json" "$dtype" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["points"][0]
print(f"{sys.argv[2]}: prompt {128 / (p['ttftMs']['p50'] / 1000):.1f} tokens/s (TTFT p50 {p['ttftMs']['p50']:.0f} ms), "
      f"decode {1000 / p['itlMs']['p50']:.1f} tokens/s (ITL p50 {p['itlMs']['p50']:.1f} ms)")
PY
done | tee "$out/summary.txt"
