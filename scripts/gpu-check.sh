#!/usr/bin/env bash
# GPU check: everything a device machine should tell us, in one call of under ~8 minutes on an H100.
#
#   scripts/gpu-check.sh prepare        here, on the build machine: fills .device/ (git-ignored, < 64 MiB, the
#                                       run tool's carry limit) with a Java 25 runtime, the jars, the test classes,
#                                       the runners and the small shared models that fit
#   scripts/gpu-check.sh run [STAGE..]  on the device machine (the run tool with carry [".device"]): every stage
#                                       below, or only the named ones; writes everything under $OUT
#
# Stages, cheap and decisive first; each is time-boxed (a hang costs its box, not the run) and a failing stage
# does not stop the next ones. The big models are written on the device by `gannet model synth` (in the
# background from the start): they cannot travel.
#   env       nvidia-smi, driver, the library folders found                          $OUT/environment.txt
#   tiny      synthesizes tiny-shape models in f32/f16/bf16/q8_0/q4_0 for the GPU tests
#   tests     every @Tag("gpu") test (kernels vs Java references, the backend vs the CPU stack on the models,
#             24 prompts batched vs alone, tensor parallelism on one GPU)          $OUT/gpu-check.txt, .log
#   kernels   decode attention at 8k/32k with and without the split, GEMV vs dequant+cuBLAS  $OUT/bench-kernels.json
#   bench16   Llama-3-8B shape F16: decode tok/s at batch 1/8/32/64/128, HBM bandwidth, prefill  $OUT/bench-f16.json
#   bench8    the same shape in Q8_0                                                  $OUT/bench-q8_0.json
#   serve     gannet serve --device cuda on the F16 model + gannet loadtest at 1/16/64  $OUT/loadtest/
# Then $OUT/gpu-<device>-<date>.json gathers every stage's status and results (docs/benchmarks/ takes it as is).
# Everything is described in docs/cuda.md.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dev=$root/.device
mode=${1:-run}
shift || true
MAX_DEVICE_MIB=64
# shared models that fit beside the runtime (MiB): stories260K 1.2 (real, F32), tiny-llama q4_0 1.9 and q8_0 3.5,
# tiny-qwen2 q8_0 9.0 (QKV biases, NeoX RoPE, tied embeddings); the tiny shape in every dtype is synthesized there
CARRIED_MODELS="stories260K.gguf tiny-llama-q4_0.gguf tiny-llama-q8_0.gguf tiny-qwen2-q8_0.gguf"

prepare() {
  set -e
  cd "$root"
  command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || { echo "gpu-check: nvcc absent: the fatbin cannot be built here" >&2; exit 2; }
  [ -f "$dev/jdk.txz" ] || "$root/../shared/tools/device-jdk" "$dev"
  local stage=$root/target/gpu-check-stage
  rm -rf "$dev/bin" "$dev/models" "$dev/app.txz" "$dev/lib" "$dev/classes" "$dev/runner" "$stage"
  mkdir -p "$dev/bin" "$dev/models" "$stage/lib" "$stage/classes" "$stage/runner"
  # the server jar and its runtime folder (what bin/gannet runs; model-runtime's jar carries the fatbin), then the
  # test classes and test-only jars of the two modules with GPU tests (JMH and its helpers stay behind)
  mvn -q -B -Dmaven.test.skip=true package
  mvn -q -B -pl panama-bindings,kv-cache,model-runtime test-compile dependency:copy-dependencies \
    -DincludeScope=test -DexcludeGroupIds=dev.gannet,org.openjdk.jmh -DexcludeArtifactIds=commons-math3,jopt-simple \
    -DoutputDirectory="$stage/lib"
  cp server/target/lib/*.jar server/target/gannet-server.jar "$stage/lib/"
  local engine v
  engine=$(ls "$stage"/lib/junit-platform-engine-*.jar | head -1)
  v=${engine##*junit-platform-engine-}; v=${v%.jar}
  local launcher=$HOME/.m2/repository/org/junit/platform/junit-platform-launcher/$v/junit-platform-launcher-$v.jar
  [ -f "$launcher" ] || mvn -q -B dependency:get -Dartifact="org.junit.platform:junit-platform-launcher:$v" -Dtransitive=false
  cp "$launcher" "$stage/lib/"
  for m in panama-bindings model-runtime; do cp -r "$m/target/test-classes" "$stage/classes/$m-test-classes"; done
  unzip -l "$stage/lib/gannet-model-runtime-"*.jar | grep -q gannet_kernels.fatbin \
    || { echo "gpu-check: the model-runtime jar holds no gannet_kernels.fatbin" >&2; exit 2; }
  local javac=${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/javac
  "$javac" -nowarn --release 25 -cp "$stage/lib/*" -d "$stage/runner" "$root/scripts/GpuCheck.java"
  # jars re-stored without compression, then one xz over all: 30 MB of jars travel as ~13 MB
  local j x
  for j in "$stage"/lib/*.jar; do
    x=$(mktemp -d)
    (cd "$x" && unzip -q "$j" && rm "$j" && zip -q -0 -r -X "$j" .)
    rm -rf "$x"
  done
  XZ_OPT=-9 tar cJf "$dev/app.txz" -C "$stage" lib classes runner
  cat >"$dev/bin/jrun" <<'SH'
#!/usr/bin/env bash
# java with the device classpath (app.txz unpacked in /tmp/gannet-app): .device/bin/jrun CLASS ARGS...
# GANNET_JAVA_OPTS adds JVM options.
a=/tmp/gannet-app
cp="$a/runner:$a/lib/*"
for c in "$a"/classes/*; do cp="$cp:$c"; done
exec java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -XX:+UseParallelGC ${GANNET_JAVA_OPTS:-} -cp "$cp" "$@"
SH
  printf '#!/usr/bin/env bash\nexec "$(dirname "$0")/jrun" dev.gannet.server.cli.GannetMain "$@"\n' >"$dev/bin/gannet"
  chmod +x "$dev/bin/jrun" "$dev/bin/gannet"
  echo "$(git rev-parse HEAD)$(git diff --quiet HEAD || echo -dirty)" >"$dev/commit.txt"
  for f in $CARRIED_MODELS; do cp "$root/../shared/models/$f" "$dev/models/"; done
  grep -qx '/.device/' .gitignore || grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo "gpu-check: add /.device/ to .git/info/exclude" >&2
  local kib
  kib=$(du -sk "$dev" | cut -f1)
  echo "gpu-check: .device is $((kib / 1024)) MiB ($kib KiB; carry limit ${MAX_DEVICE_MIB} MiB): $(du -sk "$dev"/* | tr '\n\t' '; ')"
  [ "$kib" -lt $((MAX_DEVICE_MIB * 1024 - 2048)) ] || { echo "gpu-check: .device is over the carry limit (less 2 MiB for the tree)" >&2; exit 2; }
  echo "gpu-check: on the device machine run: scripts/gpu-check.sh run   (run tool: carry [\".device\"], timeout_s 590)"
}

# Colon-separated folders holding libcuda, cuBLAS, NCCL, NVRTC: pip's nvidia/*/lib (PyTorch installs them there)
# and any folder outside site-packages that holds them.
cuda_lib_dirs() {
  {
    python3 - <<'PY' 2>/dev/null || true
import glob, os, site
roots = set(site.getsitepackages() + [site.getusersitepackages()])
try:
    import nvidia
    roots.update(os.path.dirname(p) for p in nvidia.__path__)
except Exception:
    pass
for r in sorted(roots):
    for d in sorted(glob.glob(os.path.join(r, "nvidia", "*", "lib"))):
        print(d)
PY
    find / -xdev \( -name 'libcublas.so.*' -o -name 'libnccl.so.*' -o -name 'libcuda.so.1' -o -name 'libnvrtc.so.*' \) 2>/dev/null \
      | xargs -r -n1 dirname
  } | awk 'NF && !seen[$0]++' | paste -sd: -
}

# stage NAME SECONDS COMMAND...: runs COMMAND with a time box, logs to $OUT/stages/NAME.log, records
# "NAME STATUS SECONDS" (ok, failed rc, timeout) in $OUT/stages.txt; never stops the script.
stage() {
  local name=$1 box=$2; shift 2
  if [ -n "$only" ] && ! grep -qw "$name" <<<"$only"; then return 0; fi
  local t0 rc status
  t0=$(date +%s)
  echo "gpu-check: stage $name (at most ${box}s)"
  timeout --kill-after=10 "$box" "$@" >"$out/stages/$name.log" 2>&1
  rc=$?
  case $rc in 0) status=ok ;; 124|137) status=timeout ;; *) status="failed($rc)" ;; esac
  echo "$name $status $(( $(date +%s) - t0 ))" | tee -a "$out/stages.txt"
  tail -3 "$out/stages/$name.log" | sed 's/^/    /'
}

synth_big() { # the Llama-3-8B shape in F16 then Q8_0, written where the benchmarks look (background job)
  local d f t0
  for d in f16 q8_0; do
    f=$big/llama-3-8b-$d.gguf
    t0=$(date +%s)
    [ -s "$f" ] || { timeout 240 "$dev/bin/gannet" model synth --shape llama-3-8b --dtype $d --out "$f.tmp" && mv "$f.tmp" "$f"; } \
      >"$out/stages/synth-$d.log" 2>&1
    echo "synth-$d $([ -s "$f" ] && echo ok || echo failed) $(( $(date +%s) - t0 ))" >>"$out/stages.txt"
  done
}

wait_for() { # wait_for FILE SECONDS: true once FILE exists
  local i
  for ((i = 0; i < $2; i++)); do [ -s "$1" ] && return 0; sleep 1; done
  [ -s "$1" ]
}

http_get() { # http_get URL: the body on stdout, fails unless 2xx (curl where the machine has it, else bash's /dev/tcp)
  if command -v curl >/dev/null; then curl -sf "$1"; return; fi
  local hostport=${1#http://}; hostport=${hostport%%/*}; local path=/${1#http://*/}
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3
  local status body
  IFS= read -r status <&3
  body=$(cat <&3); exec 3>&-
  grep -q ' 2[0-9][0-9] ' <<<"$status" || return 1
  sed '1,/^\r\{0,1\}$/d' <<<"$body"
}

serve_and_load() { # gannet serve --device cuda on the F16 8B model, then gannet loadtest at 1/16/64
  local model=$big/llama-3-8b-f16.gguf port=18080 pid
  wait_for "$model" "${wait16:-200}" || { echo "no $model (synth-f16 failed or is late)"; return 3; }
  "$dev/bin/gannet" serve --model "$model" --device cuda --port $port --max-running 64 --max-batch-tokens 2048 --warmup true \
    >"$out/stages/serve-server.log" 2>&1 &
  pid=$!
  local ok=""
  for _ in $(seq 1 120); do
    if http_get "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then ok=1; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 1
  done
  if [ -z "$ok" ]; then echo "the server did not become ready"; tail -5 "$out/stages/serve-server.log"; kill $pid 2>/dev/null; return 4; fi
  http_get "http://127.0.0.1:$port/metrics" | grep '^gannet:gpu' >"$out/metrics-gpu.txt"
  "$dev/bin/gannet" loadtest --url "http://127.0.0.1:$port" --concurrency 1,16,64 --prompt-tokens 256 --max-tokens 128 \
    --requests 128 --duration 20 --out "$out/loadtest"
  local rc=$?
  kill $pid; wait $pid 2>/dev/null
  return $rc
}

report() { # $OUT/gpu-<device>-<date>.json from the stage statuses and result files
  local name date file
  name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr ' /' '--' | tr -cd 'A-Za-z0-9_.-')
  date=$(date -u +%Y-%m-%d)
  file="$out/gpu-${name:-unknown}-$date.json"
  json_or_null() { if [ -s "$1" ]; then cat "$1"; else echo null; fi; }
  {
    echo "{"
    echo "  \"device\": \"$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)\","
    echo "  \"date\": \"$date\","
    echo "  \"commit\": \"$(cat "$dev/commit.txt" 2>/dev/null)\","
    echo "  \"stages\": {"
    awk '{printf "%s    \"%s\": {\"status\": \"%s\", \"seconds\": %s}", (NR > 1 ? ",\n" : ""), $1, $2, $3} END {print ""}' "$out/stages.txt"
    echo "  },"
    echo "  \"gpu_tests\": \"$(tail -1 "$out/gpu-check.txt" 2>/dev/null)\","
    echo "  \"kernels\": $(json_or_null "$out/bench-kernels.json"),"
    echo "  \"llama3_8b_f16\": $(json_or_null "$out/bench-f16.json"),"
    echo "  \"llama3_8b_q8_0\": $(json_or_null "$out/bench-q8_0.json"),"
    echo "  \"loadtest_dir\": \"loadtest/\""
    echo "}"
  } >"$file"
  echo "gpu-check: results in $file"
}

run() {
  [ -f "$dev/app.txz" ] && [ -x "$dev/bin/jrun" ] || { echo "gpu-check: $dev is not prepared: run 'scripts/gpu-check.sh prepare' on the build machine" >&2; exit 2; }
  out=${OUT:-$root/gpu-check-out}
  only="$*"
  nodriver=""
  models=/tmp/gannet-models
  big=/tmp/gannet-big
  mkdir -p "$out/stages" /tmp/jdk "$models" "$big"
  : >>"$out/stages.txt"
  [ -x /tmp/jdk/jdk/bin/java ] || tar xJf "$dev/jdk.txz" -C /tmp/jdk
  [ -d /tmp/gannet-app/lib ] || { mkdir -p /tmp/gannet-app && tar xJf "$dev/app.txz" -C /tmp/gannet-app; }
  export PATH=/tmp/jdk/jdk/bin:$PATH
  export GANNET_CUDA_LIBS=${GANNET_CUDA_LIBS:-$(cuda_lib_dirs)}
  cp -n "$dev"/models/* "$models/" 2>/dev/null
  export GANNET_JAVA_OPTS="-Dgannet.models.dir=$models"
  {
    echo "GANNET_CUDA_LIBS=$GANNET_CUDA_LIBS"
    java -version 2>&1 | head -1
    if command -v nvidia-smi >/dev/null; then nvidia-smi 2>&1 | head -20; else echo "nvidia-smi not available: no NVIDIA driver on this machine"; fi
    nproc; free -g | head -2; df -h /tmp | tail -1
  } >"$out/environment.txt" 2>&1
  head -3 "$out/environment.txt"
  if ! ls $(tr ':' ' ' <<<"$GANNET_CUDA_LIBS") 2>/dev/null | grep -q 'libcuda.so.1' && ! ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1'; then
    echo "gpu-check: no CUDA driver here (libcuda.so.1 is neither in the loader cache nor in GANNET_CUDA_LIBS);" \
         "every GPU stage will say so and fail; the 8B models are not synthesized" | tee -a "$out/environment.txt"
    nodriver=1
  fi
  local synth_pid=""
  if [ -z "$nodriver" ] && { [ -z "$only" ] || grep -qwE 'bench16|bench8|serve' <<<"$only"; }; then
    synth_big &
    synth_pid=$!
  fi
  local wait16=150 wait8=100
  [ -z "$nodriver" ] || { wait16=0; wait8=0; }
  stage tiny 60 bash -c "for d in f32 f16 bf16 q8_0 q4_0; do f='$models'/synth-tiny-\$d.gguf;
    [ -s \$f ] || '$dev/bin/gannet' model synth --shape tiny --dtype \$d --out \$f || exit 1; done"
  local named="stories260K.gguf,tiny-llama-q8_0.gguf,tiny-llama-q4_0.gguf,tiny-qwen2-q8_0.gguf"
  for d in f32 f16 bf16 q8_0 q4_0; do named="$named,synth-tiny-$d.gguf"; done
  stage tests 150 "$dev/bin/jrun" -Dgannet.gpu.models="$named" -Dgannet.gpu.model.dense=synth-tiny-f16.gguf \
    -Dgannet.gpu.model.quant=tiny-llama-q8_0.gguf GpuCheck "$out"
  stage kernels 60 "$dev/bin/jrun" dev.gannet.runtime.cuda.bench.GpuBench kernels "$out/bench-kernels.json"
  stage bench16 150 bash -c "$(declare -f wait_for); { wait_for '$big/llama-3-8b-f16.gguf' $wait16 || { echo 'no llama-3-8b-f16.gguf: no driver, or synth-f16 failed or is late'; exit 3; }; } &&
    '$dev/bin/jrun' dev.gannet.runtime.cuda.bench.GpuBench model '$big/llama-3-8b-f16.gguf' f16 '$out/bench-f16.json'"
  stage bench8 110 bash -c "$(declare -f wait_for); { wait_for '$big/llama-3-8b-q8_0.gguf' $wait8 || { echo 'no llama-3-8b-q8_0.gguf: no driver, or synth-q8_0 failed or is late'; exit 3; }; } &&
    '$dev/bin/jrun' dev.gannet.runtime.cuda.bench.GpuBench model '$big/llama-3-8b-q8_0.gguf' q8_0 '$out/bench-q8_0.json'"
  stage serve 150 bash -c "$(declare -f wait_for http_get serve_and_load); dev='$dev'; big='$big'; out='$out'; wait16=$wait16; serve_and_load"
  [ -z "$synth_pid" ] || kill "$synth_pid" 2>/dev/null
  report
  echo "gpu-check: stages:"; cat "$out/stages.txt"
  ! grep -qv ' ok ' "$out/stages.txt"
}

case "$mode" in
  prepare) prepare ;;
  run) run "$@" ;;
  *) echo "usage: scripts/gpu-check.sh prepare | run [env tiny tests kernels bench16 bench8 serve]" >&2; exit 2 ;;
esac
