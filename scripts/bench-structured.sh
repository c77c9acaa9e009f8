#!/usr/bin/env bash
# The served structured-output benchmark behind docs/benchmarks.md: one `gannet serve`, the same loadtest
# workload (completions, 8 streams, 64-token prompts, 128 output tokens, ignore_eos) run alternately free and
# with a nested-object JSON schema as response_format, three times each after one unrecorded pass of both (JIT,
# the schema's token sets), so drift of the machine hits both. The schema
# asks for at least 500 events, so no constrained output can end before max_tokens: both variants generate the
# same number of tokens. Prints output tokens/s and ITL per run, and the schema/free ratio.
# Usage: scripts/bench-structured.sh [OUT_DIR]   (default target/bench-structured). Env: GANNET_BENCH_MODEL
# (default ../shared/models/tiny-qwen2-f32.gguf, a 50,257-token vocabulary), GANNET_BENCH_REQUESTS (default 64).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-target/bench-structured}
model=${GANNET_BENCH_MODEL:-$root/../shared/models/tiny-qwen2-f32.gguf}
requests=${GANNET_BENCH_REQUESTS:-64}
port=18495
url=http://127.0.0.1:$port
mkdir -p "$out"
schema='{"type":"object","properties":{"events":{"type":"array","minItems":500,"items":{"type":"object",
"properties":{"name":{"type":"string","maxLength":16},"day":{"type":"integer","minimum":1,"maximum":31},
"tags":{"type":"array","items":{"enum":["work","home","travel"]},"maxItems":3},
"host":{"type":"object","properties":{"name":{"type":"string","maxLength":12},"online":{"type":"boolean"}},
"required":["name","online"],"additionalProperties":false}},
"required":["name","day","tags","host"],"additionalProperties":false}}},"required":["events"],"additionalProperties":false}'
schema=$(tr -d '\n' <<< "$schema")
extra="{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"events\",\"strict\":true,\"schema\":$schema}}}"

bin/gannet model inspect "$model" >/dev/null  # builds the jars once, before anything is timed
bin/gannet serve --model "$model" --port "$port" --max-running 8 2> "$out/serve.log" >/dev/null &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "$url/ready" >/dev/null && break; sleep 0.5; done
curl -sf "$url/ready" >/dev/null || { echo "server never ready; see $out/serve.log" >&2; exit 1; }

run() { # $1 = tag, then extra loadtest arguments
  local tag=$1; shift
  bin/gannet loadtest --url "$url" --concurrency 8 --requests "$requests" --prompt-tokens 64 --max-tokens 128 \
    --warmup 4 --seed 11 --out "$out/$tag" "$@" > "$out/$tag.txt"
  python3 - "$out/$tag/results.json" "$tag" > "$out/$tag.line" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["points"][0]
print("%-8s %3d/%3d ok  output %7.1f tok/s  ITL p50 %6.1f ms p99 %6.1f ms  TTFT p50 %6.1f ms" % (sys.argv[2],
      p["succeeded"], p["requests"], p["outputTokensPerS"], p["itlMs"]["p50"], p["itlMs"]["p99"], p["ttftMs"]["p50"]))
PY
  [[ $tag == warm-* ]] || tee -a "$out/summary.txt" < "$out/$tag.line"
}
# one constrained completion kept as evidence that the schema is enforced (the model is untrained: noise otherwise)
curl -s "$url/v1/completions" -H 'Content-Type: application/json' \
  -d "{\"prompt\":\"Events:\",\"max_tokens\":60,\"seed\":1,${extra:1:${#extra}-2}}" > "$out/sample.json"
: > "$out/summary.txt"
echo "model $(basename "$model"), 8 streams, $requests requests per run, $(nproc) cores" | tee -a "$out/summary.txt"
run warm-free
run warm-schema --extra-body "$extra"
for i in 1 2 3; do
  run "free-$i"
  run "schema-$i" --extra-body "$extra"
done
python3 - "$out" <<'PY' | tee -a "$out/summary.txt"
import json, sys
t = lambda k: json.load(open(f"{sys.argv[1]}/{k}/results.json"))["points"][0]["outputTokensPerS"]
free = [t(f"free-{i}") for i in (1, 2, 3)]
schema = [t(f"schema-{i}") for i in (1, 2, 3)]
print("schema/free output tok/s per pair: " + ", ".join("%.3f" % (s / f) for s, f in zip(schema, free))
      + "; means %.1f / %.1f = %.3f" % (sum(schema) / 3, sum(free) / 3, sum(schema) / sum(free)))
PY
