#!/usr/bin/env bash
# Builds Portico's OCI image with no registry (`make image`):
#   1. the release `portico` binary and the Swift runtime libraries it links, debug info stripped, laid out
#      as in the toolchain (bin/portico, lib/swift/linux/*.so under /usr/local; RUNPATH $ORIGIN/../lib/…);
#   2. a Debian bookworm runtime tree made by mmdebstrap from this machine's own apt sources: only the
#      libraries the binary loads (glibc, libstdc++, libcurl4, libnghttp2-14) and ca-certificates, extracted
#      without maintainer scripts, so there is no shell, no dpkg and no apt in it;
#   3. both assembled by buildah from `FROM scratch` (scripts/image/Containerfile), USER 65532, and exported as
#      an OCI archive that `podman load`, `skopeo copy oci-archive:… docker-daemon:…` and
#      `kind load image-archive` take.
#
# Usage: scripts/build-image.sh
#   PORTICO_IMAGE  the image name (default localhost/portico:dev; manifests/base/kustomization.yaml names it)
#   IMAGE_DIR      the scratch folder (default .build-image): rootfs/ (reused while its inputs are unchanged),
#                  context/, buildah's storage, and the archive portico-image.tar
#   PORTICO_BIN_DIR  a release build folder already holding portico and its resources: no swift build
set -euo pipefail
cd "$(dirname "$0")/.."

image=${PORTICO_IMAGE:-localhost/portico:dev}
dir=${IMAGE_DIR:-.build-image}
archive=$dir/portico-image.tar
started=$(date +%s.%N)
elapsed() { awk -v from="$1" -v to="$(date +%s.%N)" 'BEGIN { printf "%.1f s", to - from }'; }
step() { printf 'image: %-44s %s\n' "$1" "$(elapsed "$2")"; }

# --- tools: Debian packages, installed when missing (as `make deps` does) ---
sudo=$([ "$(id -u)" = 0 ] || echo sudo)
missing=$(for p in buildah mmdebstrap binutils patchelf; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
    echo "installing: $missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
mkdir -p "$dir"

# --- 1. the binary ---
t=$(date +%s.%N)
if [ -n "${PORTICO_BIN_DIR:-}" ]; then
    bin=$PORTICO_BIN_DIR
    step "release build (given: $bin)" "$t"
else
    swift build -c release --product portico
    bin=$(swift build -c release --show-bin-path)
    step "release build (swift build -c release)" "$t"
fi

# --- 2. the runtime tree, remade only when what goes into it changes ---
# The machine's configured, enabled apt sources, handed to mmdebstrap as files (no mirror named here).
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && grep -qE '^[[:space:]]*(deb|Types:)' "$f" && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { echo "no apt sources configured" >&2; exit 1; }
# libc6 and libstdc++6 for the binary (and libgcc-s1, zlib1g through them), libcurl4 (Kubernetes API
# client), libnghttp2-14 (HTTP/2 framing), ca-certificates.
packages=libc6,libstdc++6,libcurl4,libnghttp2-14,ca-certificates
mmdebstrap_args=(
    --variant=extract --include="$packages" --quiet
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*'
    --dpkgopt='path-exclude=/usr/share/bash-completion/*'
    # Start from this machine's package lists of the same sources, when it has them: apt then fetches only
    # what changed instead of ~9 MB of indexes.
    --setup-hook='mkdir -p "$1/var/lib/apt/lists" && cp -p /var/lib/apt/lists/*_dists_* "$1/var/lib/apt/lists/" 2>/dev/null || true'
    # Image scanners (trivy, grype, syft) read what is installed from /var/lib/dpkg/status.d/, as in
    # distroless images: one control file per package.
    --extract-hook='mkdir -p "$1/var/lib/dpkg/status.d" && for deb in "$1"/var/cache/apt/archives/*.deb; do
        name=$(dpkg-deb --field "$deb" Package); dpkg-deb --field "$deb" > "$1/var/lib/dpkg/status.d/$name"; done'
)
key=$( (printf '%s\n' "${mmdebstrap_args[@]}"; cat "${sources[@]}"; mmdebstrap --version) | sha256sum | cut -c1-16)
t=$(date +%s.%N)
context=$dir/context
if [ "$(cat "$dir/rootfs.key" 2>/dev/null)" != "$key" ] || [ ! -d "$context/rootfs" ]; then
    rm -rf "$context" "$dir/rootfs.new" "$dir/rootfs.key"
    mmdebstrap "${mmdebstrap_args[@]}" bookworm "$dir/rootfs.new" "${sources[@]}"
    root=$dir/rootfs.new
    # Without maintainer scripts nothing ran update-ca-certificates: make its bundle the way it does, from
    # every certificate the package ships.
    mkdir -p "$root/etc/ssl/certs"
    find "$root/usr/share/ca-certificates" -name '*.crt' | LC_ALL=C sort | while read -r crt; do
        sed -e '$a\' "$crt"
    done > "$root/etc/ssl/certs/ca-certificates.crt"
    # No package manager state, sources or host files inside; the runtime mounts its own resolv.conf/hostname.
    rm -rf "$root/etc/apt" "$root/var/lib/apt" "$root/var/cache/apt" "$root/var/log/apt" "$root/var/cache/debconf" \
        "$root/etc/dpkg" "$root/var/lib/dpkg/"{status,available,arch,info,triggers,updates,alternatives,diversions,statoverride}
    : > "$root/etc/resolv.conf"
    : > "$root/etc/hostname"
    # A user for 65532, as distroless names it, for tools that look the uid up.
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
        > "$root/etc/passwd"
    printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
    mkdir -p "$root/tmp" "$root/home/nonroot" && chmod 1777 "$root/tmp" && chown 65532:65532 "$root/home/nonroot"
    mkdir -p "$context" && mv "$root" "$context/rootfs"
    echo "$key" > "$dir/rootfs.key"
    step "root filesystem (mmdebstrap)" "$t"
else
    step "root filesystem (unchanged, reused)" "$t"
fi

# --- 3. the image ---
t=$(date +%s.%N)
# The build context: the runtime tree (kept) and what is refreshed on every build.
rm -rf "$context/portico" "$context/portico_DemoServices.resources" "$context/descriptors" "$context/swift"
mkdir -p "$context/descriptors" "$context/swift/bin" "$context/swift/lib/swift/linux"
# The Swift runtime libraries the binary links (ldd resolves them through its RUNPATH to the toolchain),
# copied rather than linked in: --static-swift-stdlib changes every module's compile flags, so it would
# cost a second full release build next to a dynamic one, for about the same image size.
toolchain=$(readlink -f "$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux")
for lib in $(ldd "$bin/portico" | awk '{ print $3 }' | grep "^$toolchain/" || true); do
    strip --strip-debug -o "$context/swift/lib/swift/linux/$(basename "$lib")" "$lib"
done
[ -n "$(ls "$context/swift/lib/swift/linux")" ] || { echo "no Swift runtime libraries found in $toolchain" >&2; exit 1; }
strip --strip-debug -o "$context/swift/bin/portico" "$bin/portico"
# Only the image's own library folder, no toolchain path.
patchelf --set-rpath '$ORIGIN/../lib/swift/linux' "$context/swift/bin/portico"
cp -R "$bin/portico_DemoServices.resources" "$context/swift/bin/"
cp Sources/DemoServices/Descriptors/*.pb "$context/descriptors/"
storage=(--root "$PWD/$dir/storage" --runroot "$PWD/$dir/runroot" --storage-driver overlay)
buildah "${storage[@]}" rmi --all --force >/dev/null 2>&1 || true
version=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/Gateway/Metrics/GatewayMetrics.swift)
buildah "${storage[@]}" build --quiet --layers=false --file scripts/image/Containerfile --tag "$image" \
    --label org.opencontainers.image.title=portico --label "org.opencontainers.image.version=$version" \
    --label "org.opencontainers.image.revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    "$context" >/dev/null
rm -f "$archive"
buildah "${storage[@]}" push --quiet "$image" "oci-archive:$archive:$image"
unpacked=$(du -sk "$context" | cut -f1)
buildah "${storage[@]}" rmi --all --force >/dev/null
step "image (buildah build, push oci-archive)" "$t"

step "total" "$started"
printf 'image: %s in %s: %s MB archive, %s MB unpacked\n' "$image" "$archive" \
    "$(( $(stat -c %s "$archive") / 1000000 ))" "$(( unpacked / 1000 ))"
