#!/bin/sh
# Builds the balancer benchmark with whole-module optimisation, as a release build would, and runs it.
set -eu
cd "$(dirname "$0")/.."
mkdir -p bench/out
swiftc -O -wmo -package-name portico -module-name BalancerBenchmark \
    $(find Sources/Balancer -name '*.swift') bench/balancer/main.swift -o bench/out/balancer
bench/out/balancer
