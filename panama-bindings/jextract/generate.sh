#!/usr/bin/env bash
# Regenerates the jextract bindings of cuda.h (src/main/java/dev/gannet/cuda/gen/cuda_h*.java) from the installed
# CUDA toolkit headers: one --include-function per symbol in cuda_driver.functions. Commit the result.
# Usage: panama-bindings/jextract/generate.sh [JEXTRACT] [CUDA_INCLUDE]   (docs/cuda.md says how jextract was built)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jextract=${1:-jextract}
include=${2:-/usr/local/cuda/include}
out=$here/../src/main/java
args=()
while read -r f; do [ -n "$f" ] && args+=(--include-function "$f"); done <"$here/cuda_driver.functions"
rm -f "$out"/dev/gannet/cuda/gen/cuda_h*.java
"$jextract" --target-package dev.gannet.cuda.gen --header-class-name cuda_h --output "$out" -I "$include" "${args[@]}" \
  "$here/cuda_driver.h"
echo "jextract: wrote $(ls "$out"/dev/gannet/cuda/gen/ | tr '\n' ' ')"
