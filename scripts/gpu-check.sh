#!/usr/bin/env bash
# GPU check: runs every @Tag("gpu") test (CUDA driver, cuBLAS, NCCL bindings; Gannet's CUDA kernels
# against Java references) on a machine with an NVIDIA GPU and no Maven or JDK.
#
#   scripts/gpu-check.sh prepare   here, on the build machine: fills .device/ (git-ignored) with a
#                                  Java 25 runtime, the dependency jars, the compiled classes (with
#                                  the fatbin) and the test runner
#   scripts/gpu-check.sh run       on the device machine (the `run` tool with carry [".device"]):
#                                  unpacks the runtime, finds libcuda/cuBLAS/NCCL, runs the tests,
#                                  writes $OUT/gpu-check.txt and gpu-check.log; exits 1 unless all pass
#
# Everything is described in docs/cuda.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dev=$root/.device
mode=${1:-run}

prepare() {
  cd "$root"
  command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || { echo "gpu-check: nvcc absent: the fatbin cannot be built here" >&2; exit 2; }
  [ -f "$dev/jdk.txz" ] || "$root/../shared/tools/device-jdk" "$dev"
  rm -rf "$dev/lib" "$dev/classes" "$dev/runner"
  mkdir -p "$dev/lib" "$dev/classes" "$dev/runner"
  # compile the three modules (model-runtime's generate-resources builds the fatbin) and copy their
  # third-party jars; the modules themselves travel as class folders
  mvn -q -B -pl panama-bindings,kv-cache,model-runtime test-compile dependency:copy-dependencies \
    -DincludeScope=test -DexcludeGroupIds=dev.gannet -DoutputDirectory="$dev/lib"
  local engine v
  engine=$(ls "$dev"/lib/junit-platform-engine-*.jar | head -1)
  v=${engine##*junit-platform-engine-}; v=${v%.jar}
  local launcher=$HOME/.m2/repository/org/junit/platform/junit-platform-launcher/$v/junit-platform-launcher-$v.jar
  [ -f "$launcher" ] || mvn -q -B dependency:get -Dartifact="org.junit.platform:junit-platform-launcher:$v" -Dtransitive=false
  cp "$launcher" "$dev/lib/"
  for m in panama-bindings kv-cache model-runtime; do
    for d in classes test-classes; do
      [ -d "$m/target/$d" ] && cp -r "$m/target/$d" "$dev/classes/$m-$d"
    done
  done
  [ -f "$dev/classes/model-runtime-classes/dev/gannet/runtime/cuda/gannet_kernels.fatbin" ] \
    || { echo "gpu-check: the build produced no gannet_kernels.fatbin" >&2; exit 2; }
  local javac=${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/javac
  "$javac" -nowarn --release 25 -cp "$dev/lib/*" -d "$dev/runner" "$root/scripts/GpuCheck.java"
  grep -qx '/.device/' .gitignore || grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo "gpu-check: add /.device/ to .git/info/exclude" >&2
  echo "gpu-check: .device ready ($(du -sh "$dev" | cut -f1)); on the device machine run: scripts/gpu-check.sh run (carry [\".device\"])"
}

# Colon-separated folders holding cuBLAS and NCCL: pip's nvidia/*/lib (PyTorch installs them there).
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
    # outside site-packages too (a CUDA toolkit under /opt, a driver outside the loader cache)
    find / -xdev \( -name 'libcublas.so.*' -o -name 'libnccl.so.*' -o -name 'libcuda.so.1' \) 2>/dev/null | xargs -r -n1 dirname
  } | awk 'NF && !seen[$0]++' | paste -sd: -
}

run() {
  [ -d "$dev/lib" ] && [ -d "$dev/runner" ] || { echo "gpu-check: $dev is not prepared: run 'scripts/gpu-check.sh prepare' on the build machine" >&2; exit 2; }
  local out=${OUT:-$root/gpu-check-out}
  mkdir -p "$out" /tmp/jdk
  [ -x /tmp/jdk/jdk/bin/java ] || tar xJf "$dev/jdk.txz" -C /tmp/jdk
  export PATH=/tmp/jdk/jdk/bin:$PATH
  export GANNET_CUDA_LIBS=${GANNET_CUDA_LIBS:-$(cuda_lib_dirs)}
  {
    echo "GANNET_CUDA_LIBS=$GANNET_CUDA_LIBS"
    java -version 2>&1 | head -1
    if command -v nvidia-smi >/dev/null; then nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true; else echo "nvidia-smi not available"; fi
  } | tee "$out/environment.txt"
  local cp="$dev/runner:$dev/lib/*"
  for d in "$dev"/classes/*; do cp="$cp:$d"; done
  set +e
  java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -XX:+IgnoreUnrecognizedVMOptions \
    -cp "$cp" GpuCheck "$out" 2>&1 | tee "$out/gpu-check.log"
  local rc=${PIPESTATUS[0]}
  set -e
  echo "gpu-check: exit $rc; results in $out"
  exit "$rc"
}

case "$mode" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: scripts/gpu-check.sh prepare|run" >&2; exit 2 ;;
esac
