#!/bin/sh
# Compiles the SwiftProtobuf runtime library from the package's checkout into OUT_DIR as a module and a static
# library (OUT_DIR/SwiftProtobuf.swiftmodule, OUT_DIR/libSwiftProtobuf.a), with `swiftc -O -wmo` as a release
# build would. Used by the scripts that compile Gateway sources without SwiftPM (bench/transcoding.sh,
# fuzz/build.sh). Rebuilt only when the checkout's commit changes.
#
# usage: scripts/build-swiftprotobuf.sh OUT_DIR
# The checkout is .build/checkouts/swift-protobuf (read only; `swift package resolve` creates it), or
# SWIFT_PROTOBUF_DIR.
set -eu
cd "$(dirname "$0")/.."
out=$1
checkout=${SWIFT_PROTOBUF_DIR:-.build/checkouts/swift-protobuf}
if [ ! -d "$checkout/Sources/SwiftProtobuf" ]; then
    echo "no SwiftProtobuf checkout at $checkout: run 'swift package resolve' or set SWIFT_PROTOBUF_DIR" >&2
    exit 1
fi
revision=$(git -C "$checkout" rev-parse HEAD 2>/dev/null || echo unknown)
if [ -f "$out/libSwiftProtobuf.a" ] && [ "$(cat "$out/SwiftProtobuf.revision" 2>/dev/null)" = "$revision" ]; then
    exit 0
fi
mkdir -p "$out"
echo "building SwiftProtobuf ($revision) into $out" >&2
swiftc -O -wmo -parse-as-library -swift-version 6 -enable-upcoming-feature ExistentialAny \
    -module-name SwiftProtobuf -package-name swift-protobuf -emit-module -emit-module-path "$out/SwiftProtobuf.swiftmodule" \
    -emit-library -static -o "$out/libSwiftProtobuf.a" \
    "$checkout"/Sources/SwiftProtobuf/*.swift
echo "$revision" >"$out/SwiftProtobuf.revision"
