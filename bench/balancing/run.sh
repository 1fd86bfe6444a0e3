#!/bin/bash
# The balancing benchmark: real gRPC backends (Python grpcio) on loopback behind a release build of the
# gateway, a fixed offered load (bench/balancing/loadgen.py, open loop), four scenarios, three strategies.
#
# Usage: bench/balancing/run.sh [SCENARIO...]   (slow failing added removed; default: all)
# Environment: STRATEGIES (default: all three), RATE (calls/s, default 200), SECONDS (per run, default 20), BASE_MS (backend latency, default 5).
set -eu
cd "$(dirname "$0")/../.."
RATE=${RATE:-200}
SECONDS_PER_RUN=${SECONDS:-20}
BASE_MS=${BASE_MS:-5}
DESCRIPTORS=$PWD/Sources/DemoServices/Descriptors/echo.pb
BACKEND=$PWD/Tests/helpers/demo_echo_backend.py
OUT=$PWD/bench/out/balancing
mkdir -p "$OUT"
swift build -c release --scratch-path .build-balancing --product portico > "$OUT/build.log" 2>&1
PORTICO=$PWD/.build-balancing/release/portico

# Every process this script starts, also from background subshells, is listed in $OUT/pids and killed by id.
: > "$OUT/pids"
cleanup() {
    while read -r pid; do { kill -9 "$pid" && wait "$pid"; } 2>/dev/null || true; done < "$OUT/pids"
    : > "$OUT/pids"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_backend NAME EXTRA_MS PORT [FAIL_CODE]: starts a Python backend in the background, waits until it listens.
start_backend() {
    rm -f "$OUT/$1.port"
    python3 "$BACKEND" "$DESCRIPTORS" "$1" "$2" "$3" "${4:-0}" > "$OUT/$1.port" &
    echo $! >> "$OUT/pids"
    eval "PID_$1=$!"
    for _ in $(seq 100); do [ -s "$OUT/$1.port" ] && return; sleep 0.1; done
    echo "backend $1 did not start" >&2; exit 1
}

# run SCENARIO STRATEGY
run() {
    local scenario=$1 strategy=$2 gateway_port ports=()
    for i in 1 2 3 4; do ports+=("$(free_port)"); done
    case $scenario in
        slow) for i in 1 2 3; do start_backend "b$i" "$BASE_MS" "${ports[$((i-1))]}"; done
              start_backend b4 $((BASE_MS * 10)) "${ports[3]}" ;;
        failing|removed) for i in 1 2 3 4; do start_backend "b$i" "$BASE_MS" "${ports[$((i-1))]}"; done ;;
        added) for i in 1 2 3; do start_backend "b$i" "$BASE_MS" "${ports[$((i-1))]}"; done ;;
    esac
    gateway_port=$(free_port)
    cat > "$OUT/portico.yaml" <<YAML
listen: 127.0.0.1:$gateway_port
admin: 127.0.0.1:$(free_port)
eventLoops: 2
backends:
  - name: echo
    descriptors: [$DESCRIPTORS]
    endpoints: [$(printf '"127.0.0.1:%s",' "${ports[@]}" | sed 's/,$//')]
    balancer: $strategy
YAML
    "$PORTICO" serve --config "$OUT/portico.yaml" --log-level error > "$OUT/gateway.log" 2>&1 &
    local gateway=$!
    echo $gateway >> "$OUT/pids"
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$gateway_port) 2>/dev/null && break; sleep 0.1; done
    local event_at=$((SECONDS_PER_RUN * 2 / 5)) event=
    case $scenario in
        # The subshell waits for the backend it starts: the backend dies with its parent (PR_SET_PDEATHSIG).
        failing) (sleep "$event_at"; kill -TERM "$PID_b4"; sleep 1; start_backend b4 0 "${ports[3]}" 14; wait) & ;;
        added) (sleep "$event_at"; start_backend b4 "$BASE_MS" "${ports[3]}"; wait) & ;;
        removed) (sleep "$event_at"; kill -TERM "$PID_b4") & ;;
    esac
    [ "$scenario" = slow ] || event=$!
    local windows=()
    [ "$scenario" = added ] || [ "$scenario" = removed ] || [ "$scenario" = failing ] && windows=(--windows 2)
    printf '%-8s %-18s ' "$scenario" "$strategy"
    python3 bench/balancing/loadgen.py "127.0.0.1:$gateway_port" "$DESCRIPTORS" "$RATE" "$SECONDS_PER_RUN" "${windows[@]}"
    cleanup
    [ -z "$event" ] || wait "$event" 2>/dev/null || true
    sleep 1
}

for scenario in "${@:-slow failing added removed}"; do
    for word in $scenario; do
        for strategy in ${STRATEGIES:-round-robin least-outstanding ewma}; do run "$word" "$strategy"; done
    done
done
