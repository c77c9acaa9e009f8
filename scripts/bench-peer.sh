#!/usr/bin/env bash
# Gannet against the llama.cpp peer, side by side in one run (docs/benchmarks.md, "Against llama.cpp").
#  1. One sequence on the TinyLlama-1.1B shape (written by `gannet model synth`) in Q8_0, Q4_0 and F16, and its F16
#     file quantized to Q4_K_M by the peer's llama-quantize (Q4_K and Q6_K tensors, the common download), 2 threads:
#     llama-bench pp128 / tg64 against `gannet serve` + `gannet loadtest` at concurrency 1 (128-token prompts,
#     64 new tokens, prefix caching off, new prompts each round): prompt tokens/s = 128 / TTFT p50, decode
#     tokens/s = 1000 / ITL p50. Rounds alternate peer and Gannet while both are loaded; the table gives
#     medians over the rounds and their ratio.
#  2. Small-model overhead: tiny-llama-f32 (../shared/models), concurrency 1, llama-server against gannet serve,
#     both measured by `gannet loadtest` (32-token prompts, 128 new tokens): ITL, TPOT and TTFT p50, alternating
#     rounds (TPOT, the mean gap of a request, is steadier than ITL where tokens arrive in bursts).
# Usage: scripts/bench-peer.sh [OUT_DIR]   (default docs/benchmarks/peer; env: GANNET_BENCH_ROUNDS=3,
# GANNET_BENCH_DTYPES="q8_0 q4_0 f16 q4_k_m", GANNET_BENCH_TINY=1, GANNET_BENCH_SERVE_ARGS for extra serve flags).
# The machine should be otherwise idle: on a shared one, hold its benchmark lock around the whole script.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-docs/benchmarks/peer}
rounds=${GANNET_BENCH_ROUNDS:-3}
models=${GANNET_BENCH_MODELS:-$root/.gannet/bench}
vocab=${GANNET_VOCAB:-$root/../shared/models/tokenizer/ggml-vocab-llama-spm.gguf}
peer=${GANNET_PEER:-$root/../shared/tools/llama-peer}
port=${GANNET_BENCH_PORT:-18491}
peer_port=$((port + 1))
mkdir -p "$models" "$out"
[ -x "$peer" ] || { echo "bench-peer: no llama.cpp peer at $peer (set GANNET_PEER)" >&2; exit 2; }

server=""
cleanup() { [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; }
trap cleanup EXIT

wait_ready() { # URL
  for _ in $(seq 1 300); do curl -sf "$1" >/dev/null && return 0; sleep 1; done
  echo "bench-peer: $1 never became ready" >&2; exit 2
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $rounds rounds" > "$out/run.txt"
synth() { # DTYPE: the bench model in that type, written once
  local model=$models/tinyllama-1.1b-$1.gguf
  [ -f "$model" ] && return 0
  if [ "$1" = q4_k_m ]; then # synth writes no K-quants: llama.cpp's own quantizer makes them from the F16 file
    synth f16
    "$peer" llama-quantize "$models/tinyllama-1.1b-f16.gguf" "$model" Q4_K_M 2 > /dev/null 2>&1
  else
    bin/gannet model synth --shape tinyllama-1.1b --dtype "$1" --vocab "$vocab" --out "$model"
  fi
}

dtypes=${GANNET_BENCH_DTYPES-q8_0 q4_0 f16 q4_k_m}
for dtype in $dtypes; do
  model=$models/tinyllama-1.1b-$dtype.gguf
  synth "$dtype"
  # shellcheck disable=SC2086
  bin/gannet serve --model "$model" --port "$port" --threads 2 --enable-prefix-caching false ${GANNET_BENCH_SERVE_ARGS:-} 2> "$out/serve-$dtype.log" > /dev/null &
  server=$!
  wait_ready "http://127.0.0.1:$port/ready"
  for r in $(seq 1 "$rounds"); do
    "$peer" llama-bench -m "$model" -t 2 -p 128 -n 64 -r 1 -o json > "$out/llama-$dtype-$r.json" 2> /dev/null
    bin/gannet loadtest --url "http://127.0.0.1:$port" --prompt-tokens 128 --max-tokens 64 --concurrency 1 \
      --requests 3 --warmup 1 --seed "$r" --timeout 900 --out "$out/gannet-$dtype-$r" > /dev/null
  done
  kill -TERM "$server"; wait "$server" || true; server=""
done

tiny=$root/../shared/models/tiny-llama-f32.gguf
if [ "${GANNET_BENCH_TINY:-1}" = 1 ] && [ -f "$tiny" ]; then
  "$peer" llama-server -m "$tiny" --port "$peer_port" -np 1 -c 512 -t 2 > "$out/llama-server-tiny.log" 2>&1 &
  peer_server=$!
  # shellcheck disable=SC2086
  bin/gannet serve --model "$tiny" --port "$port" --threads 2 --enable-prefix-caching false ${GANNET_BENCH_SERVE_ARGS:-} 2> "$out/serve-tiny.log" > /dev/null &
  server=$!
  wait_ready "http://127.0.0.1:$peer_port/health"
  wait_ready "http://127.0.0.1:$port/ready"
  for r in $(seq 1 "$rounds"); do
    for who in llama gannet; do
      p=$port; [ $who = llama ] && p=$peer_port
      bin/gannet loadtest --url "http://127.0.0.1:$p" --prompt-tokens 32 --max-tokens 128 --concurrency 1 \
        --requests 10 --warmup 2 --seed "$r" --out "$out/tiny-$who-$r" > /dev/null
    done
  done
  kill -TERM "$server" "$peer_server"
  wait "$server" || true; server=""
  { wait "$peer_server"; } 2> /dev/null || true # this llama-server build aborts when stopped: not our failure
fi

# keep the numbers (results.json), not each round's charts
find "$out" -mindepth 2 \( -name '*.png' -o -name 'report.html' \) -delete
python3 - "$out" "$rounds" "$dtypes" <<'PY' | tee "$out/summary.md"
import json, os, statistics, sys
out, rounds, dtypes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
med = statistics.median
def gannet(path):
    p = json.load(open(os.path.join(path, "results.json")))["points"][0]
    return p["ttftMs"]["p50"], p["itlMs"]["p50"]
print("| type | Gannet prompt tok/s | llama.cpp pp128 | ratio | Gannet decode tok/s | llama.cpp tg64 | ratio | Gannet weights GB/s | llama.cpp GB/s |")
print("|---|---|---|---|---|---|---|---|---|")
for d in dtypes:
    gp, gd, lp, ld, size = [], [], [], [], 0
    for r in range(1, rounds + 1):
        ttft, itl = gannet(f"{out}/gannet-{d}-{r}")
        gp.append(128 / (ttft / 1000)); gd.append(1000 / itl)
        for e in json.load(open(f"{out}/llama-{d}-{r}.json")):
            size = e["model_size"]
            (lp if e["n_prompt"] else ld).append(e["avg_ts"])
    print(f"| {d.upper()} | {med(gp):.1f} | {med(lp):.1f} | {med(gp) / med(lp):.2f} | {med(gd):.1f} | {med(ld):.1f} | "
          f"{med(gd) / med(ld):.2f} | {size * med(gd) / 1e9:.1f} | {size * med(ld) / 1e9:.1f} |")
if os.path.isdir(f"{out}/tiny-gannet-1"):
    def tiny(who, key):
        return [json.load(open(f"{out}/tiny-{who}-{r}/results.json"))["points"][0][key]["p50"] for r in range(1, rounds + 1)]
    print("\n| tiny-llama-f32, concurrency 1 | Gannet ms | llama-server ms | Gannet / llama-server | per round (Gannet/peer) |")
    print("|---|---|---|---|---|")
    for key, name in (("itlMs", "ITL p50"), ("tpotMs", "TPOT p50"), ("ttftMs", "TTFT p50")):
        g, l = tiny("gannet", key), tiny("llama", key)
        print(f"| {name} | {med(g):.2f} | {med(l):.2f} | {med(g) / med(l):.2f} | {', '.join(f'{a:.2f}/{b:.2f}' for a, b in zip(g, l))} |")
PY
