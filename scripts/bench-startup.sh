#!/usr/bin/env bash
# Scale-up latency behind docs/benchmarks.md: wall time from starting a server process to the end of its
# first finished 16-token completion (what an autoscaler waits for), on the TinyLlama-1.1B Q8_0 shape
# written by `gannet model synth` (Llama vocabulary, no download), page cache warm, 2 threads.
# Gannet and llama.cpp's llama-server, side by side in the same run, each started RUNS times (median).
# The client polls POST /v1/completions every 20 ms from the moment the process starts.
# Usage: scripts/bench-startup.sh [OUT_DIR]   (default target/bench-startup); about 3 minutes on 2 cores.
# GANNET_STARTUP_VARIANTS selects Gannet configurations (default: all below).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-target/bench-startup}
runs=${RUNS:-3}
models=${GANNET_BENCH_MODELS:-$root/.gannet/bench}
vocab=${GANNET_VOCAB:-$root/../shared/models/tokenizer/ggml-vocab-llama-spm.gguf}
model=$models/tinyllama-1.1b-q8_0.gguf
port=${GANNET_BENCH_PORT:-18490}
mkdir -p "$models" "$out"
[ -f "$model" ] || bin/gannet model synth --shape tinyllama-1.1b --dtype q8_0 --vocab "$vocab" --out "$model"
bin/gannet model inspect "$model" >/dev/null 2>&1  # builds the jars before anything is timed
cat "$model" > /dev/null                            # page cache warm, for every contestant alike
body='{"prompt":"Once upon a time","max_tokens":16,"temperature":0,"ignore_eos":true}'

# start_to_first_completion NAME CMD... : prints milliseconds
start_to_first_completion() {
  local name=$1; shift
  local t0 t1 pid code
  t0=$(date +%s%N)
  "$@" > /dev/null 2> "$out/$name.log" &
  pid=$!
  while :; do
    code=$(curl -s -o "$out/$name.json" -w '%{http_code}' --max-time 120 "http://127.0.0.1:$port/v1/completions" \
      -H 'content-type: application/json' -d "$body" || true)
    [ "$code" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$out/$name.log" >&2; echo "$name died" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  grep -q '"completion_tokens":16' "$out/$name.json" || { cat "$out/$name.json" >&2; echo "$name: not 16 tokens" >&2; exit 1; }
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# The AOT cache (JDK 25): one training run of `gannet serve` on this model, a few requests, SIGTERM.
aot=$out/gannet.aot
if [ ! -f "$aot" ] || [ "$aot" -ot server/target/gannet-server.jar ]; then
  rm -f "$aot"
  GANNET_AOT_CACHE=$aot bin/gannet serve --model "$model" --port "$port" --threads 2 \
    --kv-cache-memory 100MiB --packed-cache false > /dev/null 2> "$out/aot-training.log" &
  pid=$!
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/ready" > /dev/null && break; sleep 0.25; done
  for _ in 1 2; do curl -sf "http://127.0.0.1:$port/v1/completions" -H 'content-type: application/json' -d "$body" > /dev/null; done
  kill -TERM "$pid"; wait "$pid" || true
fi

# KV for about 2,200 tokens, as llama-server's -c 2048 (Gannet allocates and touches its KV cache at start).
serve="bin/gannet serve --model $model --port $port --threads 2 --kv-cache-memory 100MiB"
declare -A cmds
cmds[llama-server]="$root/../shared/tools/llama-peer llama-server -m $model --port $port -t 2 -c 2048 -np 1"
cmds[gannet-pack-warmup]="$serve --packed-cache false --warmup true"    # as before this work: the defaults then
cmds[gannet-pack]="$serve --packed-cache false --warmup false"
cmds[gannet-cache]="$serve --warmup false"                               # packed copy mapped from the cache
cmds[gannet-cache-aot]="env GANNET_AOT_CACHE=$aot $serve --warmup false"
cmds[gannet-cache-aot-warmup]="env GANNET_AOT_CACHE=$aot $serve --warmup true"
bin/gannet serve --model "$model" --port "$port" --warmup false --kv-cache-memory 100MiB > /dev/null 2>&1 &
pid=$!  # one start that writes the packed cache, so the cache variants find it
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/ready" > /dev/null && break; sleep 0.25; done
while [ ! -f "$model.gannet-packed" ]; do sleep 0.25; done
kill -TERM "$pid"; wait "$pid" || true
variants=${GANNET_STARTUP_VARIANTS:-gannet-pack-warmup gannet-pack gannet-cache gannet-cache-aot gannet-cache-aot-warmup}
: > "$out/summary.txt"
for name in llama-server $variants; do
  times=()
  for r in $(seq 1 "$runs"); do
    # shellcheck disable=SC2086
    times+=("$(start_to_first_completion "$name-$r" ${cmds[$name]})")
  done
  printf '%-18s median %6d ms   runs %s\n' "$name" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}" | tee -a "$out/summary.txt"
done
