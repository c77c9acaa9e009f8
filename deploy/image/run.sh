#!/usr/bin/env bash
# Runs the image that build.sh made, with podman (no daemon), from target/image/gannet-<version>.oci.tar:
#   deploy/image/run.sh [podman run options] [-- gannet arguments]
#   deploy/image/run.sh --rm --network host -v ~/models:/models:ro -e GANNET_MODEL=/models/m.gguf
# The settings suit restricted hosts such as CI sandboxes, where they are needed: runc with cgroupfs
# (crun refuses a cgroup v1/v2 hybrid), no default ulimits (raising RLIMIT_NPROC is not permitted), vfs
# storage in target/image. On an ordinary host `podman load -i ARCHIVE && podman run ...` is enough.
# Installs podman and runc from Debian when they are missing (as root, with apt-get).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${GANNET_IMAGE_OUT:-$root/target/image}
version=0.1.0
archive=$out/gannet-$version.oci.tar
[ -f "$archive" ] || { echo "run.sh: no $archive; run deploy/image/build.sh first" >&2; exit 2; }
missing=()
for t in podman runc; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc >/dev/null
  else
    echo "run.sh: needs ${missing[*]} (Debian: apt-get install podman runc)" >&2; exit 2
  fi
fi
conf=$out/containers.conf
printf '[containers]\ndefault_ulimits = []\n' > "$conf"
export CONTAINERS_CONF=$conf
podman=(podman --root "$out/storage" --runroot "$out/run" --storage-driver vfs --runtime "$(command -v runc)"
        --cgroup-manager cgroupfs)
tag=localhost/gannet:$version
"${podman[@]}" image exists "$tag" || "${podman[@]}" load --quiet -i "$archive" >/dev/null
opts=(); args=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; args=("$@"); break; fi
  opts+=("$1"); shift
done
exec "${podman[@]}" run "${opts[@]}" "$tag" "${args[@]}"
