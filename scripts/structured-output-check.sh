#!/usr/bin/env bash
# The official `openai` npm client's chat.completions.parse with a zod schema against `gannet serve` on an
# untrained model (its free output is noise, so only the constraint makes the JSON valid). Installs openai and zod
# into target/node-structured (npm registry) once. Usage: scripts/structured-output-check.sh [RUNS] (default 20).
# Env: GANNET_STRUCTURED_MODEL (default ../shared/models/tiny-qwen2-f32.gguf, which has a ChatML template).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${1:-20}
model=${GANNET_STRUCTURED_MODEL:-$root/../shared/models/tiny-qwen2-f32.gguf}
dir=target/node-structured
port=18497
mkdir -p "$dir"
if [ ! -f "$dir/node_modules/openai/package.json" ] || [ ! -f "$dir/node_modules/zod/package.json" ]; then
  echo '{"name":"gannet-structured-check","private":true,"type":"module"}' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error openai@7 zod@4)
fi
cp scripts/node/structured-output.mjs "$dir/"
bin/gannet model inspect "$model" >/dev/null  # builds the jars once
bin/gannet serve --model "$model" --port "$port" --served-model-name gannet 2> "$dir/serve.log" >/dev/null &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "server never ready; see $dir/serve.log" >&2; exit 1; }
echo "openai $(node -p 'require("./'$dir'/node_modules/openai/package.json").version'), zod $(node -p 'require("./'$dir'/node_modules/zod/package.json").version'), model $(basename "$model")"
GANNET_BASE_URL="http://127.0.0.1:$port/v1" GANNET_RUNS="$runs" node "$dir/structured-output.mjs"
