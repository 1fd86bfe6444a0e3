#!/bin/sh
# Builds the libFuzzer targets into .build-fuzz/: SwiftProtobuf (scripts/build-swiftprotobuf.sh), then the
# Gateway sources the targets reach (Transcoding, Descriptors, Routing, Internal) as one module instrumented
# for libFuzzer and AddressSanitizer, then one executable per file in fuzz/Targets. SwiftPM is not used: the
# whole package graph (NIO, nghttp2, ...) instrumented would take far longer to build and is not exercised.
set -eu
cd "$(dirname "$0")/.."
out=.build-fuzz
flags="-O -g -sanitize=fuzzer,address -parse-as-library -swift-version 6 -package-name portico"
scripts/build-swiftprotobuf.sh "$out/swiftprotobuf"
echo "building the Gateway module (instrumented)" >&2
# shellcheck disable=SC2046,SC2086
swiftc $flags -wmo -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility \
    -module-name Gateway -I "$out/swiftprotobuf" \
    -emit-module -emit-module-path "$out/Gateway.swiftmodule" -emit-library -static -o "$out/libGateway.a" \
    $(find Sources/Gateway/Transcoding Sources/Gateway/Descriptors Sources/Gateway/Routing Sources/Gateway/Internal \
        -name '*.swift' | sort)
for target in fuzz/Targets/*.swift; do
    name=$(basename "$target" .swift)
    echo "building fuzz-$name" >&2
    # shellcheck disable=SC2086
    swiftc $flags -module-name "Fuzz$name" -I "$out" -I "$out/swiftprotobuf" \
        "$PWD"/fuzz/Support/*.swift "$target" -L "$out" -lGateway -L "$out/swiftprotobuf" -lSwiftProtobuf \
        -use-ld=lld -o "$out/fuzz-$name"
done
python3 fuzz/seeds.py "$out/seeds"
