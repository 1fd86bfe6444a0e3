#!/bin/sh
# Builds the route-table benchmark with whole-module optimisation, as a release build would, and runs it.
# To count allocations per lookup, run the binary under heaptrack (`heaptrack bench/out/routing`) and compare
# with a run of fewer iterations.
set -eu
cd "$(dirname "$0")/.."
mkdir -p bench/out
swiftc -O -wmo -package-name portico -module-name RoutingBenchmark \
    $(find Sources/Gateway/Routing Sources/Gateway/Internal -name '*.swift') bench/routing/main.swift -o bench/out/routing
bench/out/routing
