#!/bin/sh
# Builds the transcoder benchmark with whole-module optimisation, as a release build would, and runs it:
# SwiftProtobuf from its checkout (scripts/build-swiftprotobuf.sh), the Gateway sources the transcoders need
# (Transcoding, Descriptors, Routing, Internal) as a module `Gateway`, and the benchmark module with the
# generated types of the test schema (Tests/GatewayTests/Generated) and an allocation counter in C
# (bench/transcoding/AllocationCounter.c). Everything goes to .build-bench/transcoding.
# Environment: ROUNDS (3: the median is printed), SECONDS_PER_RUN (1.0 per measurement).
set -eu
cd "$(dirname "$0")/.."
out=.build-bench/transcoding
flags="-O -wmo -swift-version 6 -package-name portico"
scripts/build-swiftprotobuf.sh "$out/swiftprotobuf"
echo "building the Gateway module" >&2
# shellcheck disable=SC2046,SC2086
swiftc $flags -parse-as-library -enable-upcoming-feature ExistentialAny \
    -enable-upcoming-feature MemberImportVisibility -module-name Gateway -I "$out/swiftprotobuf" \
    -emit-module -emit-module-path "$out/Gateway.swiftmodule" -emit-library -static -o "$out/libGateway.a" \
    $(find Sources/Gateway/Transcoding Sources/Gateway/Descriptors Sources/Gateway/Routing Sources/Gateway/Internal \
        -name '*.swift' | sort)
echo "building the benchmark" >&2
clang -O2 -c bench/transcoding/AllocationCounter.c -o "$out/AllocationCounter.o"
# shellcheck disable=SC2086
swiftc $flags -module-name TranscodingBenchmark -I "$out" -I "$out/swiftprotobuf" \
    bench/transcoding/main.swift bench/transcoding/Messages.swift Tests/GatewayTests/Generated/transcoding_test.pb.swift \
    "$out/AllocationCounter.o" -L "$out" -lGateway -L "$out/swiftprotobuf" -lSwiftProtobuf \
    -use-ld=lld -o "$out/transcoding"
"$out/transcoding" Tests/GatewayTests/Resources/transcoding_test.pb
