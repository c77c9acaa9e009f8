#!/usr/bin/env bash
# Compiles Gannet's native CPU kernels (this folder) into one shared library on the classpath:
# OUT_DIR/dev/gannet/runtime/kernel/native/libgannet_cpu.so. Each instruction-set variant is built with its
# own flags (kernels_avx512.c + kquants_avx512.c, kernels_avx2.c on x86-64; kernels_scalar.c everywhere);
# the runtime asks gannet_cpu_isas() which ones the CPU runs and binds one (NativeCpuLibrary).
# Maven runs it at generate-resources (model-runtime/pom.xml). Without a C compiler it prints one line and
# succeeds: the Vector API kernels then serve every matmul.
# Usage: build-cpu-kernels.sh OUT_DIR [CC]   (CC: the compiler to use, default gcc; "none" skips the build)
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-cpu-kernels.sh OUT_DIR [CC]}
cc=${2:-gcc}
dir=$out/dev/gannet/runtime/kernel/native
target=$dir/libgannet_cpu.so
mkdir -p "$dir"
if [ "$cc" = none ] || ! command -v "$cc" >/dev/null 2>&1; then
  rm -f "$target" # a library from an earlier build would no longer match these sources
  # the tests read this marker: without it a missing library is a failure, with it a skip
  why="no C compiler ('$cc' not found)"; [ "$cc" = none ] && why="C compiler turned off (-Dgannet.cc=none)"
  echo "$why at build time" > "$dir/NOT_BUILT"
  echo "[gannet] $why: libgannet_cpu.so not built (the Vector API kernels will serve every matmul)"
  exit 0
fi
rm -f "$dir/NOT_BUILT"
# Skip when the library is newer than every source (keeps repeated `mvn test` runs fast).
if [ -f "$target" ] && [ -z "$(find "$src" -newer "$target" \( -name '*.c' -o -name '*.h' -o -name '*.sh' \) | head -1)" ]; then
  echo "[gannet] libgannet_cpu.so is up to date"
  exit 0
fi
start=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(-std=c11 -O3 -fPIC -fno-math-errno -ffp-contract=off -Wall -Wextra -Werror -I"$src")
# one compiler per object, at once (set -e does not see background jobs: each wait is checked)
compile() { "$cc" "${common[@]}" "${@:3}" -c "$src/$1" -o "$tmp/$2"; }
jobs=() objs=()
add() { compile "$@" & jobs+=($!); objs+=("$tmp/$2"); }
add cpu_features.c cpu_features.o
add kernels_scalar.c kernels_scalar.o
case "$(uname -m)" in
  x86_64|amd64)
    avx512=(-mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni -mfma -mf16c)
    add kernels_avx2.c kernels_avx2.o -mavx2 -mfma -mf16c
    add kernels_avx512.c kernels_avx512.o "${avx512[@]}"
    add kquants_avx512.c kquants_avx512.o "${avx512[@]}"
    ;;
esac
for j in "${jobs[@]}"; do wait "$j"; done
"$cc" -shared -o "$tmp/libgannet_cpu.so" "${objs[@]}" -lm
mv "$tmp/libgannet_cpu.so" "$target.$$.tmp"
mv "$target.$$.tmp" "$target" # per-process temp name: other builds of this module may run at once
echo "[gannet] built libgannet_cpu.so ($(( $(date +%s) - start )) s, $("$cc" --version | head -1)) with $(command -v "$cc")"
