#!/usr/bin/env bash
# Builds the Gannet container image as an OCI archive, with no Docker daemon and no registry:
#   1. the jars (mvn package);
#   2. a minimal Debian root from Debian's own packages (mmdebstrap --variant=extract: libc6, zlib1g,
#      libgcc-s1, base-files, netbase, tzdata), cached between builds;
#   3. a Java 25 runtime cut to the modules Gannet uses (jlink, with its default CDS archive);
#   4. an AOT cache (JDK 25, -XX:AOTCacheOutput) from a training run of `gannet serve` on the demo model,
#      run in a chroot of that same root so every path and jar matches the container's;
#   5. one layer, and `buildah build` of deploy/image/Containerfile into target/image/gannet-<version>.oci.tar
#      (buildah's vfs storage under target/image, no daemon; the archive loads with `podman load`,
#      `skopeo copy oci-archive:... docker://REGISTRY/gannet:TAG` pushes it).
# Installs mmdebstrap and buildah from Debian when they are missing (as root, with apt-get).
# Usage: deploy/image/build.sh   (about 2 minutes on 2 cores; needs root for the chroot and mmdebstrap)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${GANNET_IMAGE_OUT:-$root/target/image}
version=0.1.0
tag=localhost/gannet:$version
suite=${GANNET_IMAGE_SUITE:-bookworm}

missing=()
for t in mmdebstrap buildah; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "build.sh: installing ${missing[*]} from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "build.sh: needs ${missing[*]} (Debian: apt-get install ${missing[*]})" >&2; exit 2
  fi
fi
[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (chroot for the AOT training run)" >&2; exit 2; }
jdk=${GANNET_JAVA_HOME:-}
if [ -z "$jdk" ]; then for c in /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25*; do [ -x "$c/bin/jlink" ] && jdk=$c && break; done; fi
[ -n "$jdk" ] && [ -x "$jdk/bin/jlink" ] || { echo "build.sh: no JDK 25 (set GANNET_JAVA_HOME)" >&2; exit 2; }

echo "build.sh: jars" >&2
(cd "$root" && JAVA_HOME=$jdk MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" mvn -q -B -DskipTests package)

work=$out/work
rootfs=$work/rootfs
cleanup() { for m in proc dev; do mountpoint -q "$rootfs/$m" 2>/dev/null && umount "$rootfs/$m"; done; return 0; }
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$rootfs" "$out"
base=$out/debian-$suite-base.tar
if [ ! -f "$base" ]; then
  echo "build.sh: Debian $suite root (mmdebstrap)" >&2
  mmdebstrap --quiet --format=tar --variant=extract --include=libc6,zlib1g,libgcc-s1,base-files,netbase,tzdata \
    "$suite" "$base.part" && mv "$base.part" "$base"
fi
tar -xf "$base" -C "$rootfs"

echo "build.sh: jlink" >&2
lib=$root/server/target/lib
mods=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 -cp "$lib/*" "$root/server/target/gannet-server.jar")
"$jdk/bin/jlink" --add-modules "$mods,jdk.incubator.vector,jdk.unsupported,jdk.management" --strip-debug \
  --no-man-pages --no-header-files --compress zip-6 --generate-cds-archive --output "$rootfs/opt/java"
mkdir -p "$rootfs/opt/gannet/lib" "$rootfs/home/gannet" "$rootfs/models" "$rootfs/tmp" "$rootfs/proc" "$rootfs/dev"
cp "$root/server/target/gannet-server.jar" "$lib"/*.jar "$rootfs/opt/gannet/lib/"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\ngannet:x:10001:10001:Gannet:/home/gannet:/usr/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\ngannet:x:10001:\n' > "$rootfs/etc/group"

echo "build.sh: AOT training run (gannet serve on the demo model, one request)" >&2
mount -t proc proc "$rootfs/proc"
mount --bind /dev "$rootfs/dev"
port=${GANNET_IMAGE_TRAIN_PORT:-18499}
java_flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC)
HOME=/home/gannet chroot "$rootfs" /opt/java/bin/java "${java_flags[@]}" -XX:AOTCacheOutput=/opt/gannet/gannet.aot \
  -cp '/opt/gannet/lib/*' dev.gannet.server.cli.GannetMain serve --port "$port" > "$work/train.log" 2>&1 &
train=$!
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/v1/completions" -H 'content-type: application/json' \
  -d '{"prompt":"Once upon a time","max_tokens":16,"stream":true}' >/dev/null
curl -sf "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' \
  -d '{"messages":[{"role":"user","content":"Hello"}],"max_tokens":8}' >/dev/null
kill -TERM "$train"; wait "$train" || { cat "$work/train.log" >&2; echo "build.sh: training run failed" >&2; exit 1; }
grep -q "AOTCache creation is complete" "$work/train.log" || { cat "$work/train.log" >&2; echo "build.sh: no AOT cache" >&2; exit 1; }
rm -rf "$rootfs/home/gannet/.cache"
cleanup
chown -R 10001:10001 "$rootfs/home/gannet"

echo "build.sh: layer and image" >&2
tar --numeric-owner -C "$rootfs" -cf "$work/rootfs.tar" .
store=(--root "$out/storage" --runroot "$out/run" --storage-driver vfs)
buildah "${store[@]}" build --quiet --isolation chroot -f "$root/deploy/image/Containerfile" -t "$tag" "$work" >/dev/null
rm -f "$out/gannet-$version.oci.tar"
buildah "${store[@]}" push --quiet "$tag" "oci-archive:$out/gannet-$version.oci.tar:$tag"
rm -rf "$work"
echo "build.sh: $out/gannet-$version.oci.tar ($(du -h "$out/gannet-$version.oci.tar" | cut -f1)), tag $tag" >&2
