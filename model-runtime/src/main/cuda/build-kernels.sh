#!/usr/bin/env bash
# Compiles Gannet's CUDA kernels (this folder) into ONE fatbin: SASS for sm_80 (A100) and sm_90a
# (H100/H200) plus PTX for compute_90, which the driver JIT-compiles for newer GPUs.
# Maven runs it at generate-resources (model-runtime/pom.xml) with the classes folder as OUT_DIR;
# the runtime loads OUT_DIR/dev/gannet/runtime/cuda/gannet_kernels.fatbin from the classpath.
# Without nvcc (on PATH or in /usr/local/cuda/bin) it prints one line and succeeds.
# Usage: build-kernels.sh OUT_DIR
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-kernels.sh OUT_DIR}
dir=$out/dev/gannet/runtime/cuda
# The sources travel too: the runtime compiles them with NVRTC when the driver rejects the fatbin.
mkdir -p "$dir/src"
cp "$src"/*.cu "$src"/*.cuh "$dir/src/"
nvcc=$(command -v nvcc || true)
if [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [ -z "$nvcc" ]; then
  echo "[gannet] nvcc not found on PATH or in /usr/local/cuda/bin: gannet_kernels.fatbin not built (the CUDA backend will compile the kernels with NVRTC at start-up)"
  exit 0
fi
target=$dir/gannet_kernels.fatbin
# Skip when the fatbin is newer than every source (keeps repeated `mvn test` runs fast).
if [ -f "$target" ] && [ -z "$(find "$src" -newer "$target" \( -name '*.cu' -o -name '*.cuh' -o -name '*.sh' \) | head -1)" ]; then
  echo "[gannet] gannet_kernels.fatbin is up to date"
  exit 0
fi
start=$(date +%s)
trap 'rm -f "$target.$$.tmp"' EXIT
"$nvcc" -fatbin -O3 -std=c++17 \
  -gencode arch=compute_80,code=sm_80 \
  -gencode arch=compute_90a,code=sm_90a \
  -gencode arch=compute_90,code=compute_90 \
  -o "$target.$$.tmp" "$src/gannet_kernels.cu"
mv "$target.$$.tmp" "$target" # per-process temp name: other builds of this module may run at once
echo "[gannet] built gannet_kernels.fatbin ($(( $(date +%s) - start )) s, $("$nvcc" --version | tail -1 | cut -c1-40)) with $nvcc"
