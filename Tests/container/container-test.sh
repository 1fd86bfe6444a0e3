#!/usr/bin/env bash
# Portico as it is shipped, run as it is deployed (`make container-test`, part of `make test`):
#   1. the release binary that goes into the image, outside any container, as user 65532 with no
#      capabilities at all (setpriv): a process the kernel treats as the locked-down pod's;
#   2. the image from `make image`, loaded from its OCI archive into a scratch podman storage and run as
#      manifests/base/deployment.yaml runs it: read-only root filesystem, a 16 MiB /tmp, user and group
#      65532, every capability dropped, no-new-privileges, podman's default seccomp profile.
# Each serves `portico demo` (the gateway in front of two library and two echo grpc-swift-2 backends) on
# ports it picks itself (port 0, read from its log), and Tests/helpers/check_demo_gateway.py sends JSON over
# HTTP/1.1 and h2c, native gRPC (grpcio) and admin requests through it and checks the answers. Then SIGTERM
# must stop it with status 0.
#
# Needs root (as CI runs it) for setpriv and rootful podman; installs podman and runc when missing.
# Usage: Tests/container/container-test.sh (after scripts/build-image.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."

image=${PORTICO_IMAGE:-localhost/portico:dev}
dir=${IMAGE_DIR:-.build-image}
archive=$dir/portico-image.tar
started=$(date +%s)
uid=65532

fail() { echo "container-test: FAIL: $*" >&2; exit 1; }
[ -f "$archive" ] && [ -x "$dir/context/swift/bin/portico" ] || fail "no image: run scripts/build-image.sh (make image) first"
[ "$(id -u)" = 0 ] || fail "run as root (sudo make container-test): setpriv and rootful podman need it"
missing=$(for p in podman runc; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
    echo "installing: $missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

scratch=$(mktemp -d "$PWD/$dir/test.XXXXXX")
bin=$(mktemp -d /tmp/portico-unprivileged.XXXXXX)
chmod 755 "$bin"
podman=(podman --root "$scratch/storage" --runroot "$scratch/run" --storage-driver overlay)
container=portico-test-$$
cleanup() {
    if [ -d "$scratch/storage" ]; then
        "${podman[@]}" rm --force --time 0 "$container" >/dev/null 2>&1 || true
        "${podman[@]}" rmi --all --force >/dev/null 2>&1 || true
    fi
    rm -rf "$scratch" "$bin"
}
trap cleanup EXIT

# Polls `$1` (a command printing a log) until it holds "portico is serving"; sets gateway and admin.
wait_serving() {
    local deadline=$((SECONDS + 60)) line
    while [ $SECONDS -lt $deadline ]; do
        line=$("$@" 2>&1 | grep -m1 'portico is serving' || true)
        if [ -n "$line" ]; then
            gateway=$(grep -o 'listen=[^ ]*' <<<"$line" | cut -d= -f2)
            admin=$(grep -o 'admin=[^ ]*' <<<"$line" | cut -d= -f2)
            return 0
        fi
        sleep 0.1
    done
    "$@" >&2 || true
    fail "portico never said it was serving"
}

# Asserts that process $1 runs as user and group 65532 with no capability in any set, and no_new_privs.
expect_locked_down() {
    local status=/proc/$1/status what=$2
    grep -qP "^Uid:\t$uid\t$uid\t$uid\t$uid$" "$status" || fail "$what: $(grep ^Uid "$status")"
    grep -qP "^Gid:\t$uid\t$uid\t$uid\t$uid$" "$status" || fail "$what: $(grep ^Gid "$status")"
    for set in CapInh CapPrm CapEff CapBnd CapAmb; do
        grep -qP "^$set:\t0{16}$" "$status" || fail "$what: $(grep "^$set" "$status")"
    done
    echo "ok   $what runs as $uid:$uid with no capabilities"
}

check() {
    python3 Tests/helpers/check_demo_gateway.py "$gateway" "$admin" Sources/DemoServices/Descriptors
}

# --- 1. the binary as an unprivileged user with no capabilities, outside containers ---
unprivileged_binary() {
    local status
    # The image's bin/ and lib/ (the binary, its resources, the Swift runtime libraries) copied where user
    # 65532 can reach them wherever the checkout is.
    cp -R "$dir/context/swift/." "$bin/"
    chmod -R a+rX "$bin"
    (cd "$bin" && exec setpriv --reuid=$uid --regid=$uid --clear-groups --inh-caps=-all --bounding-set=-all \
        --no-new-privs "$bin/bin/portico" demo --listen 127.0.0.1:0 --admin 127.0.0.1:0) \
        >"$scratch/setpriv.log" 2>&1 &
    pid=$!  # not local: the subshell's EXIT trap reads it after the function returned
    trap 'kill -KILL "${pid:-}" 2>/dev/null || true' EXIT
    wait_serving cat "$scratch/setpriv.log"
    echo "== portico demo as user $uid without capabilities (setpriv): gateway $gateway, admin $admin"
    expect_locked_down "$pid" "setpriv portico"
    grep -qP '^NoNewPrivs:\t1$' "/proc/$pid/status" || fail "setpriv portico: no_new_privs is not set"
    check || { cat "$scratch/setpriv.log" >&2; fail "setpriv portico"; }
    kill -TERM "$pid"
    status=0
    wait "$pid" || status=$?
    [ "$status" = 0 ] || { cat "$scratch/setpriv.log" >&2; fail "setpriv portico exited $status after SIGTERM"; }
    echo "ok   setpriv portico exited 0 after SIGTERM"
}

# --- 2. the image, as the Deployment runs it ---
# --ulimit: podman's defaults are higher than root may set here (setrlimit fails without them).
run=(run --runtime runc --ulimit nofile=20000:20000 --ulimit nproc=32768:32768
    --read-only --read-only-tmpfs=false --user $uid:$uid --group-add $uid --cap-drop=all
    --security-opt no-new-privileges)
image_as_deployed() {
    local cpid status routes
    "${podman[@]}" load --quiet --input "$archive" >/dev/null
    "${podman[@]}" image exists "$image" || fail "$archive holds no $image: $("${podman[@]}" images)"
    # --network host with port 0: no bridge or firewall rules, no fixed port; the log says which were bound.
    "${podman[@]}" "${run[@]}" --detach --name "$container" --tmpfs /tmp:rw,size=16m,mode=1777 --network host \
        "$image" demo --listen 127.0.0.1:0 --admin 127.0.0.1:0 >/dev/null
    wait_serving "${podman[@]}" logs "$container"
    echo "== $image in podman as the Deployment runs it: gateway $gateway, admin $admin"
    cpid=$("${podman[@]}" inspect --format '{{.State.Pid}}' "$container")
    expect_locked_down "$cpid" "the container's portico"
    grep -qP '^NoNewPrivs:\t1$' "/proc/$cpid/status" || fail "container: no_new_privs is not set"
    grep -qP '^Seccomp:\t2$' "/proc/$cpid/status" || fail "container: no seccomp filter"
    awk '$5 == "/" { print $6 }' "/proc/$cpid/mountinfo" | grep -qE '(^|,)ro(,|$)' ||
        fail "container: the root filesystem is writable: $(awk '$5 == "/"' "/proc/$cpid/mountinfo")"
    echo "ok   the container's root filesystem is read-only and a seccomp filter is on"
    check || { "${podman[@]}" logs "$container" >&2; fail "the container"; }
    "${podman[@]}" stop --time 20 "$container" >/dev/null
    status=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$container")
    [ "$status" = 0 ] || { "${podman[@]}" logs "$container" >&2; fail "the container exited $status after SIGTERM"; }
    echo "ok   the container exited 0 after SIGTERM"

    # The ConfigMap's portico.yaml, mounted read-only where the Deployment mounts it, loads in the image and
    # finds the descriptor set it names there.
    mkdir -p "$scratch/config"
    python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["data"]["portico.yaml"], end="")' \
        manifests/base/configmap.yaml > "$scratch/config/portico.yaml"
    routes=$("${podman[@]}" "${run[@]}" --rm --network none --volume "$scratch/config:/etc/portico:ro" \
        "$image" routes --config /etc/portico/portico.yaml 2>&1) || fail "portico routes on the ConfigMap: $routes"
    grep -q 'LibraryService.GetBook' <<<"$routes" || fail "portico routes on the ConfigMap printed: $routes"
    echo "ok   the ConfigMap's portico.yaml loads in the image: $(($(grep -c . <<<"$routes") - 1)) routes"
}

# Each part in a subshell, so that a failure of the first still lets the second run and report.
failed=0
for part in unprivileged_binary image_as_deployed; do
    set +e
    (set -e; "$part")
    status=$?
    set -e
    [ "$status" = 0 ] || failed=$((failed + 1))
done
echo "container-test: $((2 - failed)) passed, $failed failed in $(($(date +%s) - started)) s"
[ "$failed" = 0 ]
