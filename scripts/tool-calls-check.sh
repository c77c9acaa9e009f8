#!/usr/bin/env bash
# Tool calls round-trip with the official `openai` npm client against `gannet serve`, for a Qwen2-style template
# (Qwen2.5's, hermes format) and a Llama-3-style one (Llama 3.1's, JSON format), both on tiny-qwen2 (context 1024;
# tiny-llama's 512 tokens of a 512-piece vocabulary cannot hold Llama 3.1's tool prompt, and the format is the
# template's, not the weights'):
# tools in, tool_calls out, streaming and not, the call and a `role: tool` result back in. The models are untrained,
# so calls come from tool_choice required / named (constrained). Installs openai into target/node-toolcalls (npm
# registry) once. Usage: scripts/tool-calls-check.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
shared=$root/../shared
dir=target/node-toolcalls
port=18491
mkdir -p "$dir"
if [ ! -f "$dir/node_modules/openai/package.json" ]; then
  echo '{"name":"gannet-toolcalls-check","private":true,"type":"module"}' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error openai@7)
fi
cp scripts/node/tool-calls.mjs "$dir/"
bin/gannet model inspect "$shared/models/tiny-qwen2-f32.gguf" >/dev/null  # builds the jars once
echo "openai $(node -p 'require("./'$dir'/node_modules/openai/package.json").version')"

pid=
stop_server() { if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap stop_server EXIT

# one server per (model, template): label model template
run() {
  local label=$1 model=$2 template=$3
  bin/gannet serve --model "$model" --chat-template "$template" --port "$port" --served-model-name gannet \
    2> "$dir/serve-$label.log" >/dev/null &
  pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "server never ready; see $dir/serve-$label.log" >&2; exit 1; }
  echo "== $label: $(basename "$model") with $(basename "$template")"
  GANNET_BASE_URL="http://127.0.0.1:$port/v1" GANNET_LABEL="$label" node "$dir/tool-calls.mjs"
  stop_server
}

run qwen2 "$shared/models/tiny-qwen2-f32.gguf" "$shared/chat-templates/templates/Qwen-Qwen2.5-7B-Instruct.jinja"
run llama3 "$shared/models/tiny-qwen2-f32.gguf" "$shared/chat-templates/templates/meta-llama-Llama-3.1-8B-Instruct.jinja"
echo "ALL OK"
