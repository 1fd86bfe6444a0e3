#!/usr/bin/env bash
# Discovery at scale (issue 12), run by hand: `bench/discovery-scale.sh` from anywhere.
#
# The release portico with COUNT Kubernetes backends (bench/services/generate.py's services, each found
# through its Service) in one namespace of the test API server (Tests/helpers/kube_api_server.py, HTTPS on
# 127.0.0.1). Prints the watches open on the API server, the time to /readyz (every backend synced) next
# to the same config with static endpoints, RSS, and a churn of EVENTS EndpointSlice changes across all
# Services: events applied per second and portico's CPU time per event. See bench/discovery-scale/run.py.
#
# Knobs (environment): COUNT (1000), PODS (3 per Service), EVENTS (20000), H2 (0; 1 offers HTTP/2),
# PORTICO (a release portico binary; default: build one with --scratch-path .build-bench), BASE_PORT (18200;
# uses BASE_PORT and BASE_PORT+1).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${PORTICO:-}" ]]; then
    swift build -c release --scratch-path .build-bench --product portico >&2
    PORTICO=$(swift build -c release --scratch-path .build-bench --show-bin-path)/portico
fi
OUT=$PWD/bench/out/discovery-scale
rm -rf "$OUT"
mkdir -p "$OUT"
python3 bench/discovery-scale/run.py "$PORTICO" "$OUT"
