#!/usr/bin/env bash
# The first speed check of the gateway (issue 2), run by hand: `bench/quick.sh` from anywhere.
#
# Builds portico in release mode (scratch path .build-bench), starts one echo demo backend and the gateway
# (eventLoops: 1, so CPU per call compares with /work/shared/reference/http2-measurements.md), and beside it
# the peer, a plain grpc-gateway (Debian's 1.6.4, GOMAXPROCS=1) fronting the same backend. Then it drives,
# with h2load, JSON POSTs and GETs over HTTP/1.1 and h2c through both, and the same call as native gRPC
# straight to the backend and through portico. For each run: req/s, p50/p99 latency, and the CPU seconds
# per 10,000 succeeded requests of the gateway and of the backend (utime+stime from /proc/PID/stat).
#
# Everything listens on 127.0.0.1; every run lasts DURATION seconds after a WARMUP-second run; every process
# started here is stopped by its PID on exit, error or Ctrl-C.
#
# Knobs (environment): DURATION (10), WARMUP (2), H1_CONNECTIONS (64), H2_CONNECTIONS (16), H2_STREAMS (4),
# BUILD (1; 0 reuses the last release build), PEER (1; 0 skips grpc-gateway), PEER_GOMAXPROCS (1), BASE_PORT (18000; uses BASE_PORT..BASE_PORT+3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
H1_CONNECTIONS=${H1_CONNECTIONS:-64}
H2_CONNECTIONS=${H2_CONNECTIONS:-16}
H2_STREAMS=${H2_STREAMS:-4}
PEER=${PEER:-1}
PEER_GOMAXPROCS=${PEER_GOMAXPROCS:-1}
BASE_PORT=${BASE_PORT:-18000}
BACKEND_PORT=$BASE_PORT
PORTICO_PORT=$((BASE_PORT + 1))
ADMIN_PORT=$((BASE_PORT + 2))
PEER_PORT=$((BASE_PORT + 3))
# grpc-gateway's CPU per JSON POST measured on this kind of machine (issue 2), used when the peer is not run.
REFERENCE_PEER_S_PER_10K=0.95

OUT=$ROOT/bench/out/quick
mkdir -p "$OUT"

# --- prerequisites --------------------------------------------------------------------------------------
APT_PACKAGES=(nghttp2-client curl protobuf-compiler libnghttp2-dev)
PEER_APT_PACKAGES=(golang-go golang-github-grpc-ecosystem-grpc-gateway-dev golang-grpc-gateway protoc-gen-go-1-3
    golang-google-grpc-dev golang-golang-x-net-dev)
wanted=("${APT_PACKAGES[@]}")
[ "$PEER" = 1 ] && wanted+=("${PEER_APT_PACKAGES[@]}")
missing=()
for package in "${wanted[@]}"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
CLOCK_TICKS=$(getconf CLK_TCK)

# --- processes, stopped by PID on any exit ---------------------------------------------------------------
PIDS=()
# Whether a process exists and has not exited (an exited child stays a zombie until waited for).
running() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]; }
# SIGTERM, up to 5 s to exit, then SIGKILL: a process that ignores SIGTERM must not outlive the script.
stop_all() {
    local pid deadline=$((SECONDS + 5))
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] || continue
        while running "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
        if running "$pid"; then
            echo "pid $pid ignored SIGTERM for 5 s: killed" >&2
            kill -9 "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Polls a command until it succeeds or `seconds` pass.
wait_until() {
    local seconds=$1 what=$2; shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then echo "timed out waiting for $what" >&2; return 1; fi
        sleep 0.1
    done
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# utime+stime of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# --- builds ----------------------------------------------------------------------------------------------
if [ "${BUILD:-1}" = 1 ]; then
    echo "== building portico (release, .build-bench)"
    # One retry: on a shared checkout a source file edited mid-build fails the build once.
    swift build -c release --scratch-path .build-bench --product portico >"$OUT/build.log" 2>&1 ||
        swift build -c release --scratch-path .build-bench --product portico >"$OUT/build.log" 2>&1 ||
        { tail -30 "$OUT/build.log"; exit 1; }
fi
PORTICO=$(swift build -c release --scratch-path .build-bench --show-bin-path)/portico
[ -x "$PORTICO" ] || { echo "no release build at $PORTICO (run without BUILD=0)" >&2; exit 1; }

PEER_BIN=""
PEER_WHY=""
if [ "$PEER" = 1 ]; then
    echo "== building the grpc-gateway peer (Go, GOPATH mode against /usr/share/gocode, offline)"
    gopath=$OUT/gopath
    rm -rf "$gopath/src/peer"
    mkdir -p "$gopath/src/peer/echopb"
    cp bench/grpc-gateway-peer/main.go "$gopath/src/peer/"
    googleapis=/usr/share/gocode/src/github.com/grpc-ecosystem/grpc-gateway/third_party/googleapis
    if protoc -I Protos/demo -I "$googleapis" \
            --go_out=plugins=grpc,Mgoogle/api/annotations.proto=google.golang.org/genproto/googleapis/api/annotations:"$gopath/src/peer/echopb" \
            --grpc-gateway_out=logtostderr=true:"$gopath/src/peer/echopb" Protos/demo/echo.proto >"$OUT/peer-build.log" 2>&1 &&
        GOPATH=$gopath:/usr/share/gocode GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE=$OUT/gocache \
            go build -o "$OUT/grpc-gateway-peer" peer >>"$OUT/peer-build.log" 2>&1; then
        PEER_BIN=$OUT/grpc-gateway-peer
    else
        PEER_WHY="the peer did not build (see $OUT/peer-build.log)"
        tail -10 "$OUT/peer-build.log" >&2
    fi
else
    PEER_WHY="PEER=0"
fi

# --- request bodies ----------------------------------------------------------------------------------------
MESSAGE=portico-bench-0123456789abcdefghijklmnopqrstuvwxyz-0123456789
printf '{"message":"%s"}' "$MESSAGE" >"$OUT/echo.json"
# A gRPC message: no compression, 4-byte big-endian length, then EchoRequest{message (field 1, length-delimited)}.
length=${#MESSAGE}
printf "\\x00\\x00\\x00\\x00\\x$(printf %02x $((length + 2)))\\x0a\\x$(printf %02x "$length")%s" "$MESSAGE" \
    >"$OUT/echo.grpc"

# --- processes ---------------------------------------------------------------------------------------------
echo "== starting the echo backend, portico and the peer"
"$PORTICO" demo-backend --kind echo --listen "127.0.0.1:$BACKEND_PORT" --name echo-1 >"$OUT/backend.log" 2>&1 &
BACKEND_PID=$!
PIDS+=("$BACKEND_PID")
wait_until 30 "the echo backend" port_open "$BACKEND_PORT"

cat >"$OUT/portico.yaml" <<EOF
listen: 127.0.0.1:$PORTICO_PORT
admin: 127.0.0.1:$ADMIN_PORT
eventLoops: 1
backends:
  - name: echo
    descriptors: [$ROOT/Sources/DemoServices/Descriptors/echo.pb]
    endpoints: ["127.0.0.1:$BACKEND_PORT"]
EOF
"$PORTICO" serve --config "$OUT/portico.yaml" --log-level warning >"$OUT/portico.log" 2>&1 &
PORTICO_PID=$!
PIDS+=("$PORTICO_PID")
wait_until 30 "portico's /readyz" curl -fs "http://127.0.0.1:$ADMIN_PORT/readyz"

PEER_PID=""
if [ -n "$PEER_BIN" ]; then
    GOMAXPROCS=$PEER_GOMAXPROCS "$PEER_BIN" -listen "127.0.0.1:$PEER_PORT" -backend "127.0.0.1:$BACKEND_PORT" \
        >"$OUT/peer.log" 2>&1 &
    PEER_PID=$!
    PIDS+=("$PEER_PID")
    if ! wait_until 30 "the peer" curl -fs -d @"$OUT/echo.json" "http://127.0.0.1:$PEER_PORT/v1/echo"; then
        PEER_WHY="the peer did not answer (see $OUT/peer.log)"
        PEER_PID=""
    fi
fi

# Every path answers before any load: a wrong body would otherwise be measured as fast errors.
check() {
    local name=$1; shift
    if ! "$@" >"$OUT/check.out" 2>&1; then
        echo "check failed: $name" >&2; cat "$OUT/check.out" >&2; exit 1
    fi
}
check "portico JSON POST" curl -fsS -d @"$OUT/echo.json" "http://127.0.0.1:$PORTICO_PORT/v1/echo"
grep -q "$MESSAGE" "$OUT/check.out" || { echo "portico POST did not echo" >&2; exit 1; }
check "portico JSON GET" curl -fsS "http://127.0.0.1:$PORTICO_PORT/v1/echo/$MESSAGE"
grep -q "$MESSAGE" "$OUT/check.out" || { echo "portico GET did not echo" >&2; exit 1; }
for port in "$BACKEND_PORT" "$PORTICO_PORT"; do
    check "gRPC on $port" nghttp -v -H ':method: POST' -H 'content-type: application/grpc' -H 'te: trailers' \
        -d "$OUT/echo.grpc" "http://127.0.0.1:$port/portico.demo.echo.v1.EchoService/Echo"
    grep -q 'grpc-status: 0' "$OUT/check.out" || { echo "gRPC on $port: no grpc-status 0" >&2; exit 1; }
done

# --- load ----------------------------------------------------------------------------------------------------
ROWS=()
# run_load LABEL PROTOCOL VIA GATEWAY_PID URL [h2load options...]: a warm-up, then the measured run.
# Appends "label|protocol|via|req/s|p50|p99|gateway s/10k|backend s/10k|succeeded|failed" to ROWS.
run_load() {
    local label=$1 protocol=$2 via=$3 gateway_pid=$4 url=$5; shift 5
    local shape
    if [ "$protocol" = h1 ]; then shape=(--h1 -c "$H1_CONNECTIONS"); else shape=(-c "$H2_CONNECTIONS" -m "$H2_STREAMS"); fi
    running "$BACKEND_PID" || { echo "the backend died" >&2; exit 1; }
    [ -z "$gateway_pid" ] || running "$gateway_pid" || { echo "the gateway ($via) died" >&2; exit 1; }
    timeout $((WARMUP + 30)) h2load "${shape[@]}" -D "$WARMUP" "$@" "$url" >/dev/null 2>&1 || true
    local log=$OUT/$label-$via.log
    local backend_before gateway_before=0 backend_after gateway_after=0
    backend_before=$(cpu_ticks "$BACKEND_PID")
    [ -z "$gateway_pid" ] || gateway_before=$(cpu_ticks "$gateway_pid")
    timeout $((DURATION + 30)) h2load "${shape[@]}" -D "$DURATION" --log-file="$log.requests" "$@" "$url" \
        >"$log" 2>&1 || true
    backend_after=$(cpu_ticks "$BACKEND_PID")
    [ -z "$gateway_pid" ] || gateway_after=$(cpu_ticks "$gateway_pid")
    local succeeded failed rps
    succeeded=$(awk '/^requests:/ { for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^succeeded/) print $i }' "$log")
    failed=$(awk '/^requests:/ { for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^failed/) print $i }' "$log")
    rps=$(awk '/^finished in/ { print $4 }' "$log")
    if [ -z "$succeeded" ] || [ "$succeeded" = 0 ]; then
        echo "no request succeeded: $label via $via (see $log)" >&2; exit 1
    fi
    local percentiles
    percentiles=$(awk -F'\t' '{ print $3 }' "$log.requests" | sort -n |
        awk '{ v[NR] = $1 } END { i50 = int(NR * 0.50); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1;
              printf "%.2f %.2f", v[i50] / 1000, v[i99] / 1000 }')
    rm -f "$log.requests"
    local per10k="awk -v t=$CLOCK_TICKS -v n=$succeeded"
    local gateway_cpu="-" backend_cpu
    [ -z "$gateway_pid" ] ||
        gateway_cpu=$($per10k -v d=$((gateway_after - gateway_before)) 'BEGIN { printf "%.3f", d / t / n * 10000 }')
    backend_cpu=$($per10k -v d=$((backend_after - backend_before)) 'BEGIN { printf "%.3f", d / t / n * 10000 }')
    ROWS+=("$label|$protocol|$via|$rps|${percentiles% *}|${percentiles#* }|$gateway_cpu|$backend_cpu|$succeeded|${failed:-0}")
    echo "   $label $protocol via $via: $rps req/s, gateway $gateway_cpu s/10k, backend $backend_cpu s/10k"
}

JSON_HEADER=(-H 'content-type: application/json')
GRPC_HEADERS=(-H 'content-type: application/grpc' -H 'te: trailers')
GRPC_PATH=/portico.demo.echo.v1.EchoService/Echo
echo "== load: ${DURATION}s per run after a ${WARMUP}s warm-up; h1 -c $H1_CONNECTIONS, h2c -c $H2_CONNECTIONS -m $H2_STREAMS"
echo "   machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run_load "gRPC" h2c backend "" "http://127.0.0.1:$BACKEND_PORT$GRPC_PATH" "${GRPC_HEADERS[@]}" -d "$OUT/echo.grpc"
run_load "gRPC" h2c portico "$PORTICO_PID" "http://127.0.0.1:$PORTICO_PORT$GRPC_PATH" "${GRPC_HEADERS[@]}" -d "$OUT/echo.grpc"
# Portico and the peer alternate, so a change in the machine's load hits both alike.
for protocol in h1 h2c; do
    for method in POST GET; do
        for via in portico grpc-gateway; do
            if [ "$via" = portico ]; then pid=$PORTICO_PID port=$PORTICO_PORT
            else [ -n "$PEER_PID" ] || continue; pid=$PEER_PID port=$PEER_PORT; fi
            if [ "$method" = POST ]; then
                run_load "JSON-POST" "$protocol" "$via" "$pid" "http://127.0.0.1:$port/v1/echo" "${JSON_HEADER[@]}" -d "$OUT/echo.json"
            else
                run_load "JSON-GET" "$protocol" "$via" "$pid" "http://127.0.0.1:$port/v1/echo/$MESSAGE"
            fi
        done
    done
done
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- table ---------------------------------------------------------------------------------------------------
echo
echo "CPU is utime+stime per 10,000 succeeded requests (x100 = µs per call). portico: eventLoops 1;"
echo "grpc-gateway 1.6.4: GOMAXPROCS=$PEER_GOMAXPROCS. ratio = portico's CPU / grpc-gateway's CPU for the same row."
[ -z "$PEER_PID" ] && echo "grpc-gateway not measured ($PEER_WHY): ratio against the reference $REFERENCE_PEER_S_PER_10K s/10k (≈ 95 µs per POST)."
printf '\n| %-9s | %-5s | %-12s | %8s | %8s | %8s | %17s | %17s | %6s | %s |\n' call proto via 'req/s' 'p50 ms' 'p99 ms' \
    'gateway CPU s/10k' 'backend CPU s/10k' ratio failed
echo '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
peer_cpu() {
    local row
    for row in "${ROWS[@]}"; do
        IFS='|' read -r l p v _ _ _ g _ _ _ <<<"$row"
        if [ "$l" = "$1" ] && [ "$p" = "$2" ] && [ "$v" = grpc-gateway ]; then echo "$g"; return; fi
    done
    [ -n "$PEER_PID" ] || echo "$REFERENCE_PEER_S_PER_10K"
}
for row in "${ROWS[@]}"; do
    IFS='|' read -r label protocol via rps p50 p99 gateway backend succeeded failed <<<"$row"
    ratio="-"
    if [ "$via" = portico ] && [ "${label#JSON}" != "$label" ]; then
        peer=$(peer_cpu "$label" "$protocol")
        [ -n "$peer" ] && ratio=$(awk -v a="$gateway" -v b="$peer" 'BEGIN { printf "%.2f", a / b }')
    fi
    printf '| %-9s | %-5s | %-12s | %8.0f | %8s | %8s | %17s | %17s | %6s | %s |\n' "$label" "$protocol" "$via" "$rps" \
        "$p50" "$p99" "$gateway" "$backend" "$ratio" "$failed"
done
