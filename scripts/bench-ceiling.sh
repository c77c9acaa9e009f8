#!/usr/bin/env bash
# What this machine allows, measured with native C next to the JVM in one run (docs/benchmarks.md, "Machine
# ceilings"): the peer for the two limits every CPU figure runs into.
#   1. memory read bandwidth: scripts/native/membw.c against JMH MemoryReadBench (decode streams every weight);
#   2. f32 FMA peak of each core and of both at once: scripts/native/fmapeak.c (prompt processing is FLOPs);
#   3. the prompt path's loop structure in C (scripts/native/tile4x4.c: four staged f32 rows, K tiles, 4x4
#      register tile) against the same loop in Java (JMH MatmulBench, F32, 128 tokens), same shape.
# Needs gcc (the C probes are built into .gannet/bench/native). Usage: scripts/bench-ceiling.sh [OUT_DIR]
# (default docs/benchmarks/ceiling); about 4 minutes; the machine should be otherwise idle.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-docs/benchmarks/ceiling}
bin=.gannet/bench/native
mkdir -p "$out" "$bin"
command -v gcc >/dev/null || { echo "bench-ceiling: needs gcc (apt-get install gcc)" >&2; exit 2; }
for probe in membw fmapeak tile4x4; do
  gcc -O2 -mavx512f -mavx512bw -pthread -Wall -o "$bin/$probe" "scripts/native/$probe.c"
done

# median and best of a column of numbers
stats() { sort -n | awk '{v[NR] = $1} END {printf "median %.1f, best %.1f (%d rounds)", v[int((NR + 1) / 2)], v[NR], NR}'; }

{
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  for mb in 64 1200; do
    for threads in 1 2; do
      echo "native read, $threads thread(s), $mb MB buffer, GB/s: $("$bin/membw" "$threads" "$mb" 8 | stats)"
    done
  done
  echo "native f32 FMA, one core alone, GFLOP/s: $("$bin/fmapeak" | stats)"
  both=$( ("$bin/fmapeak" & "$bin/fmapeak" & wait) | awk '{s += $1} END {printf "%.1f", s}')
  echo "native f32 FMA, both cores at once, GFLOP/s in total: $both"
  echo "native tile4x4 loop, 2 threads, 5632 x 2048 f32 rows x 128 tokens, GFLOP/s: $("$bin/tile4x4" 2 5632 2048 128 5 | stats)"
} | tee "$out/native.txt"

bin/bench-kernels MemoryReadBench -p streams=2 -wi 2 -i 3 2>&1 | tee "$out/jmh-memory-read.txt" | grep -E '^Benchmark|read:gb' || true
bin/bench-kernels MatmulBench -p type=F32 -p m=128 -wi 2 -i 3 -w 2 -r 3 2>&1 | tee "$out/jmh-matmul-f32.txt" | grep -E '^Benchmark|gflop' || true
