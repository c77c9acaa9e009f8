#!/usr/bin/env bash
# Soak run behind docs/benchmarks.md (issue 18): `gannet serve` under 30 minutes of a mixed, partly hostile workload
# at concurrency 32 (streams, chats, client aborts, slow readers, malformed and refused requests, 3 MB bodies),
# sampling RSS, heap after a full GC, KV usage and error counts every minute (scripts/soak.py).
# Usage: scripts/soak.sh [MINUTES] [OUT_DIR]   (defaults: 30, docs/benchmarks/soak). Exit 0 only with no 5xx and
# nothing unexpected. The model is the shared tiny-llama-q8_0 (context 512) with a Qwen2.5 chat template.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
minutes=${1:-30}
out=${2:-docs/benchmarks/soak}
port=${GANNET_SOAK_PORT:-18490}
java_home=${GANNET_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mkdir -p "$out"
model=$root/../shared/models/tiny-llama-q8_0.gguf
template=$root/../shared/chat-templates/templates/Qwen-Qwen2.5-7B-Instruct.jinja
GANNET_JAVA_OPTS="-Xmx1g ${GANNET_JAVA_OPTS:-}" bin/gannet serve --model "$model" --port "$port" --threads 2 \
  --max-running 32 --max-waiting 64 --kv-cache-memory 256MiB --chat-template "$template" --stream-stall-timeout 10s \
  2> "$out/serve.log" > "$out/requests.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 1; done
pid=$(pgrep -f "GannetMain serve --model $model --port $port" | head -1)
PATH="$java_home/bin:$PATH" python3 scripts/soak.py --port "$port" --pid "$pid" --minutes "$minutes" \
  > "$out/samples.csv" 2> "$out/summary.txt"
status=$?
cat "$out/samples.csv" "$out/summary.txt"
grep -c " 5[0-9][0-9] " "$out/requests.log" | sed 's/^/5xx lines in the request log: /' || true
exit $status
