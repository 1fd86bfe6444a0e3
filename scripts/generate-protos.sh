#!/usr/bin/env bash
# Regenerates the committed protobuf code and descriptor sets:
#   - Sources/Gateway/Descriptors/Generated: google/api/http.proto and annotations.proto (the HttpRule
#     option the gateway reads from descriptors);
#   - Sources/DemoServices/Generated and Sources/DemoServices/Descriptors: the demo services in Protos/demo;
#   - Tests/GatewayTests/Resources: the transcoder test schema and its golden vectors.
# The protoc plugins are built once from grpc-swift-protobuf (slow: minutes) into .build-protoc-plugins,
# unless PROTOC_GEN_SWIFT and PROTOC_GEN_GRPC_SWIFT name existing binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

plugins=.build-protoc-plugins
if [[ -z "${PROTOC_GEN_SWIFT:-}" || -z "${PROTOC_GEN_GRPC_SWIFT:-}" ]]; then
    if [[ ! -x $plugins/bin/protoc-gen-grpc-swift-2 ]]; then
        rm -rf "$plugins/src"
        git clone -q --depth 1 -b 2.4.1 https://github.com/grpc/grpc-swift-protobuf.git "$plugins/src"
        swift build -c release --package-path "$plugins/src" --product protoc-gen-grpc-swift-2
        swift build -c release --package-path "$plugins/src" --product protoc-gen-swift
        mkdir -p "$plugins/bin"
        cp "$plugins/src/.build/release/protoc-gen-grpc-swift-2" "$plugins/src/.build/release/protoc-gen-swift" "$plugins/bin/"
    fi
    PROTOC_GEN_SWIFT=$plugins/bin/protoc-gen-swift
    PROTOC_GEN_GRPC_SWIFT=$plugins/bin/protoc-gen-grpc-swift-2
fi

# google/api/*.proto ship with PyPI's googleapis-common-protos; google/protobuf/*.proto with protoc.
googleapis=$(python3 -c 'import google.api, os; print(os.path.dirname(os.path.dirname(list(google.api.__path__)[0])))')
includes=(-I Protos -I "$googleapis" -I /usr/include)

out=Sources/Gateway/Descriptors/Generated
rm -rf "$out" && mkdir -p "$out"
protoc "${includes[@]}" --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
    --swift_out="$out" --swift_opt=Visibility=Package,FileNaming=PathToUnderscores \
    google/api/http.proto google/api/annotations.proto

if compgen -G "Protos/demo/*.proto" >/dev/null; then
    out=Sources/DemoServices/Generated
    rm -rf "$out" && mkdir -p "$out" Sources/DemoServices/Descriptors
    protoc "${includes[@]}" \
        --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" --plugin=protoc-gen-grpc-swift="$PROTOC_GEN_GRPC_SWIFT" \
        --swift_out="$out" --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
        --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
        Protos/demo/*.proto
    rm -f Sources/DemoServices/Descriptors/*.pb
    for proto in Protos/demo/*.proto; do
        name=$(basename "$proto" .proto)
        protoc "${includes[@]}" --include_imports --descriptor_set_out="Sources/DemoServices/Descriptors/$name.pb" "$proto"
    done
fi
echo "generated"

# ---------------------------------------------------------------------------------------------------------
# Transcoder test schema: Tests/GatewayTests/Resources/transcoding_test.proto → transcoding_test.pb, then
# the golden vectors built from it by Python's protobuf runtime (golden.json).
# ---------------------------------------------------------------------------------------------------------
resources=Tests/GatewayTests/Resources
protoc -I "$resources" -I "$googleapis" -I /usr/include --include_imports \
    --descriptor_set_out="$resources/transcoding_test.pb" "$resources/transcoding_test.proto"
# Map entries come out in a different order on each run; the tests compare them order-insensitively.
python3 "$resources/make_golden.py"
echo "generated transcoder test descriptors"
