#!/usr/bin/env bash
# A cluster's worth of services (issue 12), run by hand: `bench/services.sh` from anywhere.
#
# For each N in COUNTS, bench/services/generate.py writes N services x 10 annotated methods (one descriptor
# set and one backend per service, static endpoint 127.0.0.1:1 where nothing listens) and the release
# portico serves them. Printed per N: time from exec to /readyz 200, RSS then (and over an N=1 gateway),
# /metrics size and scrape time, the same after one GET to each of the 3 GET methods of every service (they
# fail fast with 503: nothing listens behind; the series count all the same), and the time a SIGHUP reload
# takes (from the signal to its "config reloaded" log line).
#
# Then the same N services with pods that answer: every backend's endpoint is one demo echo backend
# (`portico demo-backend`), so the gateway holds an HTTP/2 connection per backend and event loop, and the demo
# echo service is a backend too. Printed: RSS and idle /metrics size with every connection open, and a reload
# under load: h2load sends GET /v1/echo/… for 12 s over 8 connections while the gateway is sent SIGHUP three
# times; the requests that did not get a 200 (failed, errored or non-2xx) are counted.
#
# Knobs (environment): COUNTS ("1 100 300 1000 3000"), PORTICO (a release portico binary; default: build one
# with --scratch-path .build-bench), BASE_PORT (18100; uses BASE_PORT to BASE_PORT+2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COUNTS=${COUNTS:-1 100 300 1000 3000}
BASE_PORT=${BASE_PORT:-18100}
OUT=$ROOT/bench/out/services
mkdir -p "$OUT"
if [[ -z "${PORTICO:-}" ]]; then
    swift build -c release --scratch-path .build-bench --product portico >&2
    PORTICO=$(swift build -c release --scratch-path .build-bench --show-bin-path)/portico
fi

now() { date +%s.%N; }
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
pid=
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap cleanup EXIT
admin=http://127.0.0.1:$((BASE_PORT + 1))

# generate DIR COUNT [--endpoint HOST:PORT]: writes COUNT services and their config, on the bench's ports.
generate() {
    local dir=$1 count=$2
    shift 2
    rm -rf "$dir"
    python3 bench/services/generate.py "$count" "$dir" "$@"
    sed -i "s/^listen: .*/listen: 127.0.0.1:$BASE_PORT/; s/^admin: .*/admin: 127.0.0.1:$((BASE_PORT + 1))/" \
        "$dir/portico.yaml"
}

# serve DIR: starts portico on DIR's config; sets pid, and ready to the seconds from exec to /readyz 200.
serve() {
    local started
    started=$(now)
    "$PORTICO" serve --config "$1/portico.yaml" > "$1/portico.log" 2>&1 &
    pid=$!
    until curl -fs -o /dev/null "$admin/readyz"; do sleep 0.005; done
    ready=$(echo "$(now) - $started" | bc)
}

printf '%6s %8s %9s %9s %10s %10s %10s %10s %9s\n' services routes ready_s rss_MiB idle_KB scrape_ms used_KB \
    scrape_ms reload_s
for count in $COUNTS; do
    dir=$OUT/$count
    generate "$dir" "$count"
    serve "$dir"
    rss=$(rss_kib "$pid")
    idle=$(curl -s -o "$dir/idle.metrics" -w '%{size_download} %{time_total}' "$admin/metrics")
    for index in $(seq 0 $((count - 1))); do
        service=$(printf 's%04d' "$index")
        printf 'http://127.0.0.1:%s/v1/%s/items/a\nhttp://127.0.0.1:%s/v1/%s/items\nhttp://127.0.0.1:%s/v1/%s/items/a/history\n' \
            "$BASE_PORT" "$service" "$BASE_PORT" "$service" "$BASE_PORT" "$service"
    done > "$dir/urls"
    h2load --h1 -c 1 -i "$dir/urls" -n $((count * 3)) > "$dir/h2load.txt" 2>&1 || true
    used=$(curl -s -o "$dir/used.metrics" -w '%{size_download} %{time_total}' "$admin/metrics")
    before=$(grep -c "config reloaded" "$dir/portico.log" || true)
    signalled=$(now)
    kill -HUP "$pid"
    until [[ $(grep -c "config reloaded" "$dir/portico.log" || true) -gt $before ]]; do sleep 0.005; done
    reload=$(echo "$(now) - $signalled" | bc)
    cleanup
    [[ $count == 1 ]] && base_rss=$rss
    printf '%6d %8d %9.3f %9.1f %10.1f %10.1f %10.1f %10.1f %9.3f\n' "$count" $((count * 10)) "$ready" \
        "$(echo "$rss / 1024" | bc -l)" "$(echo "${idle% *} / 1000" | bc -l)" "$(echo "${idle#* } * 1000" | bc -l)" \
        "$(echo "${used% *} / 1000" | bc -l)" "$(echo "${used#* } * 1000" | bc -l)" "$reload"
done
echo "RSS of the N=1 gateway: $(echo "${base_rss:-0} / 1024" | bc -l | cut -c1-5) MiB (subtract it for RSS over an idle gateway)"

echo
echo "With pods that answer (one demo echo backend behind every service), and a reload under load:"
"$PORTICO" demo-backend --kind echo --listen "127.0.0.1:$((BASE_PORT + 2))" > "$OUT/echo.log" 2>&1 &
echo_pid=$!
trap 'cleanup; kill $echo_pid 2>/dev/null' EXIT
printf '%6s %9s %9s %10s %9s %9s %9s\n' services ready_s rss_MiB idle_KB requests not_200 reload_s
for count in $COUNTS; do
    dir=$OUT/$count-connected
    generate "$dir" "$count" --endpoint "127.0.0.1:$((BASE_PORT + 2))"
    printf '  - name: echo\n    descriptors: [%s]\n    endpoints: ["127.0.0.1:%s"]\n' \
        "$ROOT/Sources/DemoServices/Descriptors/echo.pb" "$((BASE_PORT + 2))" >> "$dir/portico.yaml"
    serve "$dir"
    sleep 2 # every backend's connections open
    rss=$(rss_kib "$pid")
    idle=$(curl -s -o /dev/null -w '%{size_download}' "$admin/metrics")
    h2load --h1 -c 8 -D 12 "http://127.0.0.1:$BASE_PORT/v1/echo/reload-under-load" > "$dir/h2load.txt" 2>&1 &
    load=$!
    reload_total=0
    for round in 1 2 3; do
        sleep 3
        before=$(grep -c "config reloaded" "$dir/portico.log" || true)
        signalled=$(now)
        kill -HUP "$pid"
        until [[ $(grep -c "config reloaded" "$dir/portico.log" || true) -gt $before ]]; do sleep 0.005; done
        reload_total=$(echo "$reload_total + $(now) - $signalled" | bc)
    done
    wait "$load" || true
    requests=$(awk '/^requests:/ { print $2 }' "$dir/h2load.txt")
    ok=$(awk '/^status codes:/ { print $3 }' "$dir/h2load.txt")
    cleanup
    printf '%6d %9.3f %9.1f %10.1f %9d %9d %9.3f\n' "$count" "$ready" "$(echo "$rss / 1024" | bc -l)" \
        "$(echo "${idle} / 1000" | bc -l)" "$requests" $((requests - ok)) "$(echo "$reload_total / 3" | bc -l)"
done
