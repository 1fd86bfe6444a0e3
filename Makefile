# Portico's entry points. `make demo` and `make test` work on a fresh Debian machine with Swift:
# each first installs what the machine lacks.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := protobuf-compiler libnghttp2-dev libcurl4-openssl-dev nghttp2-client curl pkg-config python3-pip \
	openssl kubectl golang-go golang-google-grpc-dev protoc-gen-go-1-3
PIP_PACKAGES := grpcio==1.* grpcio-reflection==1.* protobuf googleapis-common-protos kubernetes-validate h2 \
	openapi-spec-validator schemathesis==4.*

.PHONY: deps demo test backpressure-test routes bench fuzz clean

## Installs the system and Python packages the build and the tests need (skipped when present).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c 'import grpc, grpc_reflection, google.protobuf, google.api, kubernetes_validate, h2, \
		openapi_spec_validator, schemathesis' 2>/dev/null || \
		python3 -m pip install -q $(PIP_PACKAGES) 2>/dev/null || \
		python3 -m pip install -q --break-system-packages $(PIP_PACKAGES)

## Runs the gateway with built-in demo backends on 127.0.0.1:8080 and prints curl commands to try.
demo: deps
	swift build --product portico
	.build/debug/portico demo

## Runs every test: the Swift tests (the interop matrix's grpc-go backend is built first, into .build-go-echo),
## then the image's container test, then back-pressure on the same release binary.
test: deps
	Tests/helpers/go-echo/build.sh >/dev/null
	swift test
	$(MAKE) --no-print-directory container-test
	$(MAKE) --no-print-directory backpressure-test

## Back-pressure on the release binary: slow HTTP/1.1 and h2c readers of 10,000 streamed 64 KiB messages, a
## 100 MiB upload to a slow backend and 1,000 pipelined requests, each within +32 MiB of the gateway's RSS.
backpressure-test: deps
	swift build -c release --product portico
	Tests/helpers/go-echo/build.sh >/dev/null
	python3 Tests/backpressure/backpressure_test.py "$$(swift build -c release --show-bin-path)/portico" \
		.build-go-echo/go-echo

## Prints the route table of a config: make routes CONFIG=path/to/portico.yaml
routes: deps
	swift run portico routes --config $(CONFIG)

## The first speed check (release build, h2load against the gateway and a demo backend).
bench: deps
	bench/quick.sh

## Short fuzzing run (not part of `make test`): builds the libFuzzer targets of fuzz/ into .build-fuzz and runs
## each for FUZZ_SECONDS (60); see fuzz/README.md for the long run.
fuzz:
	fuzz/build.sh
	fuzz/run.sh

clean:
	rm -rf .build .build-image

# --- the container image (scripts/build-image.sh, Tests/container/container-test.sh) ---
.PHONY: image container-test

## Builds the OCI image localhost/portico:dev into .build-image/portico-image.tar, with no registry.
image: deps
	scripts/build-image.sh

## Runs the image as manifests/ deploy it, and the binary as an unprivileged user, in front of the demo.
container-test: image
	Tests/container/container-test.sh
