#!/usr/bin/env python3
"""Checks a running `portico demo` from outside, as a client would: JSON over HTTP/1.1 and h2c (curl),
native gRPC (grpcio, messages built from the demo's own descriptor sets), and the admin endpoints.
Used by Tests/container/container-test.sh against the image run as the Deployment runs it, and against the
binary run as an unprivileged user with no capabilities.

Usage: check_demo_gateway.py GATEWAY_HOST:PORT ADMIN_HOST:PORT DESCRIPTOR_DIR [--ready-timeout SECONDS]
Waits (polling, with a deadline) for /readyz to answer 200, then runs every check; prints one line per check
and a closing `check_demo_gateway: N passed, N failed`. Exits 1 if any check failed.
"""
import argparse
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

ECHO = "portico.demo.echo.v1"
LIBRARY = "portico.demo.library.v1"
TIMEOUT = 10  # seconds, per request


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, check):
        """Runs `check` (which raises AssertionError or any error to fail) and prints the outcome."""
        try:
            check()
        except Exception as error:  # every failure is reported, and the other checks still run
            self.failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
        else:
            self.passed += 1
            print(f"ok   {name}", flush=True)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def curl(url, *options, body=None):
    """One request with curl; returns (status, HTTP version as curl reports it, body text)."""
    command = ["curl", "-sS", "--max-time", str(TIMEOUT), "-o", "-", "-w", "\n%{http_code} %{http_version}"]
    if body is not None:
        command += ["-H", "content-type: application/json", "--data-binary", body]
    result = subprocess.run(command + list(options) + [url], capture_output=True, text=True, timeout=TIMEOUT + 5)
    expect(result.returncode == 0, f"curl exited {result.returncode}: {result.stderr.strip()}")
    text, _, tail = result.stdout.rpartition("\n")
    status, version = tail.split()
    return int(status), version, text


def http_get(url):
    """A plain HTTP/1.1 GET with urllib; returns (status, body text), also for error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Messages:
    """Message classes from the demo's descriptor sets (no generated code)."""

    def __init__(self, descriptor_dir):
        pool = descriptor_pool.DescriptorPool()
        seen = set()
        for name in ("echo.pb", "library.pb"):
            files = descriptor_pb2.FileDescriptorSet()
            with open(f"{descriptor_dir}/{name}", "rb") as f:
                files.ParseFromString(f.read())
            for file in files.file:
                if file.name not in seen:
                    seen.add(file.name)
                    pool.Add(file)
        self.pool = pool

    def cls(self, full_name):
        return message_factory.GetMessageClass(self.pool.FindMessageTypeByName(full_name))


def wait_ready(admin, timeout):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = http_get(f"http://{admin}/readyz")
            if last[0] == 200:
                return
        except OSError as error:
            last = error
        time.sleep(0.1)
    raise SystemExit(f"check_demo_gateway: /readyz never answered 200 within {timeout} s (last: {last})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("gateway")
    parser.add_argument("admin")
    parser.add_argument("descriptor_dir")
    parser.add_argument("--ready-timeout", type=float, default=30)
    args = parser.parse_args()
    gateway, admin = args.gateway, args.admin
    messages = Messages(args.descriptor_dir)
    wait_ready(admin, args.ready_timeout)
    checks = Checks()

    # --- JSON, transcoded: HTTP/1.1 and h2c on the same port ---
    def book_over_http1():
        status, version, text = curl(f"http://{gateway}/v1/shelves/fiction/books/dune", "--http1.1")
        expect((status, version) == (200, "1.1"), f"{status} over HTTP/{version}: {text}")
        book = json.loads(text)
        expect(book.get("name") == "shelves/fiction/books/dune" and book.get("title") == "Dune", text)
        expect(book.get("authors") == ["Frank Herbert"] and book.get("pageCount") == "412", text)  # int64: a string

    def echo_post_over_http1():
        status, version, text = curl(f"http://{gateway}/v1/echo", "--http1.1", body='{"message":"over http/1.1"}')
        expect((status, version) == (200, "1.1"), f"{status} over HTTP/{version}: {text}")
        reply = json.loads(text)
        expect(reply.get("message") == "over http/1.1", text)
        expect(reply.get("servedBy") in ("echo-1", "echo-2"), text)

    def echo_post_over_h2c():
        status, version, text = curl(
            f"http://{gateway}/v1/echo", "--http2-prior-knowledge", body='{"message":"over h2c"}')
        expect((status, version) == (200, "2"), f"{status} over HTTP/{version}: {text}")
        expect(json.loads(text).get("message") == "over h2c", text)

    def query_over_h2c():
        url = f"http://{gateway}/v1/shelves/fiction/books?genre=GENRE_FANTASY&author=Neil%20Gaiman"
        status, version, text = curl(url, "--http2-prior-knowledge")
        expect((status, version) == (200, "2"), f"{status} over HTTP/{version}: {text}")
        books = json.loads(text).get("books", [])
        expect(books, text)
        expect(all("Neil Gaiman" in b["authors"] and b["genre"] == "GENRE_FANTASY" for b in books), text)

    def missing_book_is_404():
        status, _, text = curl(f"http://{gateway}/v1/shelves/fiction/books/missing", "--http1.1")
        expect(status == 404 and json.loads(text).get("code") == 5, f"{status}: {text}")

    checks.run("JSON GET over HTTP/1.1 is transcoded to LibraryService.GetBook", book_over_http1)
    checks.run("JSON POST over HTTP/1.1 reaches an echo backend", echo_post_over_http1)
    checks.run("JSON POST over h2c (prior knowledge) reaches an echo backend", echo_post_over_h2c)
    checks.run("JSON GET with query parameters over h2c filters books", query_over_h2c)
    checks.run("a missing book is 404 with gRPC code 5 in the JSON error", missing_book_is_404)

    # --- native gRPC, proxied ---
    echo_request = messages.cls(f"{ECHO}.EchoRequest")
    echo_response = messages.cls(f"{ECHO}.EchoResponse")
    expand_request = messages.cls(f"{ECHO}.ExpandRequest")
    get_book = messages.cls(f"{LIBRARY}.GetBookRequest")
    book = messages.cls(f"{LIBRARY}.Book")
    channel = grpc.insecure_channel(gateway)

    def method(kind, path, request_class, response_class):
        return getattr(channel, kind)(
            path, request_serializer=request_class.SerializeToString, response_deserializer=response_class.FromString)

    def grpc_unary():
        call = method("unary_unary", f"/{ECHO}.EchoService/Echo", echo_request, echo_response)
        served_by = set()
        for index in range(4):
            reply = call(echo_request(message=f"native {index}"), timeout=TIMEOUT)
            expect(reply.message == f"native {index}", f"{reply}")
            served_by.add(reply.served_by)
        # Round-robin over the two echo backends.
        expect(served_by == {"echo-1", "echo-2"}, f"served by {sorted(served_by)}")

    def grpc_server_stream():
        call = method("unary_stream", f"/{ECHO}.EchoService/Expand", expand_request, echo_response)
        replies = list(call(expand_request(message="e", count=5), timeout=TIMEOUT))
        expect([r.sequence for r in replies] == [0, 1, 2, 3, 4], f"{replies}")

    def grpc_client_stream():
        call = method("stream_unary", f"/{ECHO}.EchoService/Collect", echo_request, echo_response)
        reply = call(iter([echo_request(message=word) for word in ("a", "b", "c")]), timeout=TIMEOUT)
        expect((reply.message, reply.sequence) == ("a b c", 3), f"{reply}")

    def grpc_library():
        call = method("unary_unary", f"/{LIBRARY}.LibraryService/GetBook", get_book, book)
        reply = call(get_book(name="shelves/science/books/cosmos"), timeout=TIMEOUT)
        expect(reply.title == "Cosmos", f"{reply}")

    def grpc_status_passes_through():
        call = method("unary_unary", f"/{ECHO}.EchoService/Echo", echo_request, echo_response)
        try:
            call(echo_request(message="x", fail_code=7), timeout=TIMEOUT)
        except grpc.RpcError as error:
            expect(error.code() == grpc.StatusCode.PERMISSION_DENIED, f"{error.code()}: {error.details()}")
            expect(error.details() == "requested failure", error.details())
        else:
            raise AssertionError("the call succeeded")

    def grpc_unknown_service():
        call = method("unary_unary", "/no.such.Service/Call", echo_request, echo_response)
        try:
            call(echo_request(), timeout=TIMEOUT)
        except grpc.RpcError as error:
            expect(error.code() == grpc.StatusCode.UNIMPLEMENTED, f"{error.code()}: {error.details()}")
        else:
            raise AssertionError("the call succeeded")

    checks.run("native gRPC unary calls are balanced over both echo backends", grpc_unary)
    checks.run("native gRPC server streaming (Expand) brings every message", grpc_server_stream)
    checks.run("native gRPC client streaming (Collect) sends every message", grpc_client_stream)
    checks.run("native gRPC reaches the library backends (GetBook)", grpc_library)
    checks.run("a backend's gRPC status passes through (PERMISSION_DENIED)", grpc_status_passes_through)
    checks.run("an unknown service is UNIMPLEMENTED from the gateway", grpc_unknown_service)
    channel.close()

    # --- admin ---
    def healthz():
        status, text = http_get(f"http://{admin}/healthz")
        expect(status == 200, f"{status}: {text}")

    def readyz():
        status, text = http_get(f"http://{admin}/readyz")
        expect(status == 200, f"{status}: {text}")

    def metrics():
        status, text = http_get(f"http://{admin}/metrics")
        expect(status == 200, f"{status}")
        handled = 0.0
        for line in text.splitlines():
            if line.startswith("grpc_server_handled_total{") and 'grpc_method="Echo"' in line \
                    and 'grpc_code="OK"' in line:
                handled += float(line.rsplit(" ", 1)[1])
        # 4 native calls and 2 JSON calls above succeeded.
        expect(handled >= 6, f"grpc_server_handled_total for Echo OK is {handled}")
        expect("portico_build_info{" in text, "no portico_build_info")
        expect('portico_http_requests_total{' in text, "no portico_http_requests_total")

    checks.run("/healthz answers 200", healthz)
    checks.run("/readyz answers 200", readyz)
    checks.run("/metrics counts the calls made above (grpc_server_handled_total)", metrics)

    print(f"check_demo_gateway: {checks.passed} passed, {checks.failed} failed", flush=True)
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
