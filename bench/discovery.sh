#!/bin/sh
# Builds the discovery benchmark with whole-module optimisation, as a release build would, and runs it:
# the time from an EndpointSlice watch event (its JSON line) to a published snapshot, and heap per endpoint.
set -eu
cd "$(dirname "$0")/.."
mkdir -p bench/out
D=Sources/Discovery
swiftc -O -wmo -package-name portico -module-name DiscoveryBenchmark \
    $D/DiscoveredEndpoint.swift $D/EndpointSnapshot.swift $D/BackendSettings.swift \
    $D/Kubernetes/KubernetesServiceRef.swift $D/Kubernetes/ServiceEndpointsState.swift \
    $D/Kubernetes/Watch/WatchAction.swift $(find $D/Kubernetes/Model -name '*.swift') \
    bench/discovery/main.swift -o bench/out/discovery
bench/out/discovery
