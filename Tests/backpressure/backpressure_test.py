#!/usr/bin/env python3
"""Back-pressure end to end, measured on the real binary (`make backpressure-test`, part of `make test`).

Usage: backpressure_test.py PORTICO GO_ECHO [SCENARIO ...]

Runs `PORTICO serve` (its own process, so that its resident memory is its own) in front of real gRPC backends on
loopback and, per scenario, samples the gateway's VmRSS every 20 ms from /proc. A scenario passes when every
reply arrived whole and in order, the gateway's RSS never rose more than 32 MiB above its level before the
scenario, and /endpoints reads in-flight 0 on every pod once the load stopped. Scenarios (all by default):

  h1-slow-reader     10,000 server-streamed 64 KiB messages (`POST /v1/echo:expand`, grpc-go backend) to an
                     HTTP/1.1 client that reads nothing for 2 s, then reads slowly for 2 s, then at full speed
  h2c-slow-reader    the same over h2c (Python h2), the client's stream window given back only as it reads
  upload-slow-backend  a 100 MiB native client-streaming call (grpcio client, `Collect`) to a grpcio backend
                     that reads a 64 KiB message every 2 ms
  h1-pipelined       1,000 pipelined HTTP/1.1 POSTs of 64 KiB on one connection, sent at once by one thread
                     while the client reads nothing for 2 s; every answer must arrive, in order

Without back-pressure each would hold hundreds of MiB in the gateway (the backend or client is ~10x faster
than its peer). Prints one line per scenario with the peak RSS growth and the time taken; exits 1 on failure.
"""
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent import futures

import grpc
import h2.config
import h2.connection
import h2.events

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESCRIPTORS = os.path.join(ROOT, "Sources/DemoServices/Descriptors/echo.pb")
SERVICE = "portico.demo.echo.v1.EchoService"
RSS_LIMIT = 32 << 20
MESSAGE_BYTES = 64 << 10
STREAMED_MESSAGES = 10_000
UPLOAD_BYTES = 100 << 20
PIPELINED_REQUESTS = 1_000
PR_SET_PDEATHSIG = 1


def die_with_parent():
    ctypes.CDLL("libc.so.6").prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def echo_request(message):
    """An EchoRequest with only `message` (field 1) set, in the protobuf wire format."""
    return b"\x0a" + varint(len(message)) + message


# --- the slow backend: grpcio, reading one message every 2 ms -----------------------------------------------

def run_slow_backend():
    """Serves Collect, reading each request message 2 ms after the one before; prints its port."""
    die_with_parent()

    def collect(requests, context):
        count = 0
        total = 0
        for request in requests:
            count += 1
            total += len(request)
            time.sleep(0.002)
        # EchoResponse: message (1) = the byte count read, sequence (4) = the message count.
        text = str(total).encode()
        return b"\x0a" + varint(len(text)) + text + b"\x20" + varint(count)

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        options=[("grpc.max_receive_message_length", 8 << 20)],
    )
    handler = grpc.method_handlers_generic_handler(
        SERVICE, {"Collect": grpc.stream_unary_rpc_method_handler(collect)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


# --- processes ------------------------------------------------------------------------------------------

class Backend:
    """A backend process that prints its port on its first line."""

    def __init__(self, command):
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
        self.port = int(self.process.stdout.readline())

    def stop(self):
        self.process.kill()
        self.process.wait()


class Gateway:
    """`portico serve` with one backend at `endpoint`, on ports it picks itself."""

    def __init__(self, portico, endpoint, workdir, name):
        config = os.path.join(workdir, f"portico-{name}.yaml")
        with open(config, "w") as out:
            out.write(
                "listen: 127.0.0.1:0\n"
                "admin: 127.0.0.1:0\n"
                "eventLoops: 2\n"
                "maxRequestBytes: 1048576\n"
                "lifecycle: {watchInterval: 0s}\n"
                "backends:\n"
                "  - name: echo\n"
                f"    descriptors: [{DESCRIPTORS}]\n"
                f"    endpoints: ['127.0.0.1:{endpoint}']\n"
                "    timeout: 300s\n"
            )
        self.log_path = os.path.join(workdir, f"portico-{name}.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [portico, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=self.log,
            preexec_fn=die_with_parent)
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.log_path) as log:
                line = next((line for line in log if "portico is serving" in line), None)
            if line:
                self.port = int(re.search(r"listen=\S+:(\d+)", line).group(1))
                self.admin = int(re.search(r"admin=\S+:(\d+)", line).group(1))
                break
            if self.process.poll() is not None:
                raise SystemExit(f"portico exited: {open(self.log_path).read()}")
            time.sleep(0.05)
        else:
            raise SystemExit(f"portico never served: {open(self.log_path).read()}")
        self.wait_until_ready()

    def wait_until_ready(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            endpoints = self.endpoints()
            if all(e["connection"] == "ready" for b in endpoints["backends"] for e in b["endpoints"]):
                return
            time.sleep(0.05)
        raise SystemExit(f"the backend connection never became ready: {self.endpoints()}")

    def endpoints(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin}/endpoints", timeout=5) as reply:
            return json.load(reply)

    def in_flight(self):
        return sum(e["inFlight"] for b in self.endpoints()["backends"] for e in b["endpoints"])

    def rss(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise SystemExit("portico is gone")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class RSSSampler:
    """Samples the gateway's RSS every 20 ms while a scenario runs."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.baseline = gateway.rss()
        self.peak = self.baseline
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while self.running:
            self.peak = max(self.peak, self.gateway.rss())
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, self.gateway.rss())
        return self.peak - self.baseline


# --- clients --------------------------------------------------------------------------------------------

def expand_body():
    return json.dumps({"message": "x" * MESSAGE_BYTES, "count": STREAMED_MESSAGES}).encode()


class Pacing:
    """Reads nothing for 2 s, then 16 KiB every 10 ms for 2 s (1.6 MB/s), then at full speed."""

    def __init__(self):
        self.started = time.time()

    def next_read(self):
        """How many bytes to read next, after sleeping as the phase asks."""
        elapsed = time.time() - self.started
        if elapsed < 2:
            time.sleep(2 - elapsed)
        if time.time() - self.started < 4:
            time.sleep(0.01)
            return 16 << 10
        return 1 << 20


class StreamedLines:
    """Counts the `{"result": ...}` lines of a streamed reply and checks each is the 64 KiB echo."""

    def __init__(self):
        self.pending = b""
        self.results = 0
        self.errors = []

    def feed(self, data):
        self.pending += data
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            if not line:
                continue
            reply = json.loads(line)
            if "result" in reply and len(reply["result"]["message"]) == MESSAGE_BYTES:
                self.results += 1
            else:
                self.errors.append(line[:200])


def h1_slow_reader(gateway):
    body = expand_body()
    connection = socket.create_connection(("127.0.0.1", gateway.port))
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    connection.sendall(
        b"POST /v1/echo:expand HTTP/1.1\r\nhost: portico\r\ncontent-type: application/json\r\n"
        + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode() + body)
    pacing = Pacing()
    received = bytearray()
    while True:
        data = connection.recv(pacing.next_read())
        if not data:
            break
        received += data
    connection.close()
    head, _, chunked = bytes(received).partition(b"\r\n\r\n")
    expect(head.startswith(b"HTTP/1.1 200"), f"status line: {head[:100]!r}")
    lines = StreamedLines()
    position = 0
    while True:
        end = chunked.index(b"\r\n", position)
        size = int(chunked[position:end], 16)
        if size == 0:
            break
        lines.feed(chunked[end + 2:end + 2 + size])
        position = end + 2 + size + 2
    expect(not lines.errors, f"unexpected lines: {lines.errors[:3]}")
    expect(lines.results == STREAMED_MESSAGES, f"{lines.results} of {STREAMED_MESSAGES} messages arrived")


def h2c_slow_reader(gateway):
    body = expand_body()
    connection = socket.create_connection(("127.0.0.1", gateway.port))
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    h2conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
    h2conn.initiate_connection()
    stream = h2conn.get_next_available_stream_id()
    h2conn.send_headers(stream, [
        (":method", "POST"), (":scheme", "http"), (":authority", "portico"), (":path", "/v1/echo:expand"),
        ("content-type", "application/json"), ("content-length", str(len(body))),
    ])
    connection.sendall(h2conn.data_to_send())
    sent = 0
    while sent < len(body):
        window = min(h2conn.local_flow_control_window(stream), h2conn.max_outbound_frame_size)
        if window == 0:
            for event in h2conn.receive_data(connection.recv(65536)):
                pass
            connection.sendall(h2conn.data_to_send())
            continue
        chunk = body[sent:sent + window]
        sent += len(chunk)
        h2conn.send_data(stream, chunk, end_stream=sent == len(body))
        connection.sendall(h2conn.data_to_send())
    pacing = Pacing()
    lines = StreamedLines()
    status = None
    ended = False
    while not ended:
        data = connection.recv(pacing.next_read())
        expect(data, "the connection closed before the stream ended")
        for event in h2conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                status = dict(event.headers).get(b":status")
            elif isinstance(event, h2.events.DataReceived):
                lines.feed(event.data)
                h2conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                ended = True
            elif isinstance(event, h2.events.StreamReset):
                raise SystemExit(f"the stream was reset: {event}")
        connection.sendall(h2conn.data_to_send())
    connection.close()
    expect(status == b"200", f"status {status}")
    expect(not lines.errors, f"unexpected lines: {lines.errors[:3]}")
    expect(lines.results == STREAMED_MESSAGES, f"{lines.results} of {STREAMED_MESSAGES} messages arrived")


def upload_slow_backend(gateway):
    message = echo_request(b"u" * (MESSAGE_BYTES - 8))
    count = UPLOAD_BYTES // len(message)
    with grpc.insecure_channel(f"127.0.0.1:{gateway.port}") as channel:
        collect = channel.stream_unary(f"/{SERVICE}/Collect")
        reply = collect((message for _ in range(count)), timeout=300)
    # EchoResponse: message (field 1) = the byte count the backend read, sequence (field 4) = messages.
    expect(reply[0] == 0x0A, f"reply {reply[:20]!r}")
    length = reply[1]
    total = int(reply[2:2 + length])
    expect(total == count * len(message), f"the backend read {total} bytes of {count * len(message)}")


def h1_pipelined(gateway):
    connection = socket.create_connection(("127.0.0.1", gateway.port))
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)

    def send_all():
        for number in range(PIPELINED_REQUESTS):
            body = json.dumps({"message": f"{number:06d}" + "p" * (MESSAGE_BYTES - 6)}).encode()
            connection.sendall(
                b"POST /v1/echo HTTP/1.1\r\nhost: portico\r\ncontent-type: application/json\r\n"
                + f"content-length: {len(body)}\r\n\r\n".encode() + body)

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    pacing = Pacing()
    buffer = b""
    answered = 0
    while answered < PIPELINED_REQUESTS:
        data = connection.recv(pacing.next_read())
        expect(data, f"the connection closed after {answered} answers")
        buffer += data
        while True:
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                break
            head = buffer[:head_end].decode()
            length = int(re.search(r"content-length: (\d+)", head, re.IGNORECASE).group(1))
            if len(buffer) < head_end + 4 + length:
                break
            body = buffer[head_end + 4:head_end + 4 + length]
            buffer = buffer[head_end + 4 + length:]
            expect(head.startswith("HTTP/1.1 200"), f"answer {answered}: {head[:80]}")
            message = json.loads(body)["message"]
            expect(message.startswith(f"{answered:06d}"), f"answer {answered} is for request {message[:6]}")
            answered += 1
    sender.join()
    connection.close()


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


SCENARIOS = {
    "h1-slow-reader": ("go", h1_slow_reader),
    "h2c-slow-reader": ("go", h2c_slow_reader),
    "upload-slow-backend": ("slow", upload_slow_backend),
    "h1-pipelined": ("go", h1_pipelined),
}


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--slow-backend":
        run_slow_backend()
        return
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    portico, go_echo = sys.argv[1], sys.argv[2]
    chosen = sys.argv[3:] or list(SCENARIOS)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="portico-backpressure-") as workdir:
        backends = {
            "go": Backend([go_echo, "--name", "go-1"]),
            "slow": Backend([sys.executable, os.path.abspath(__file__), "--slow-backend"]),
        }
        try:
            for name in chosen:
                kind, scenario = SCENARIOS[name]
                # A gateway of its own per scenario: memory one scenario left resident hides no other's growth.
                gateway = Gateway(portico, backends[kind].port, workdir, name)
                sampler = RSSSampler(gateway)
                started = time.time()
                error = None
                try:
                    scenario(gateway)
                except (AssertionError, OSError, grpc.RpcError) as failure:
                    error = failure
                growth = sampler.stop()
                seconds = time.time() - started
                deadline = time.time() + 10
                while gateway.in_flight() != 0 and time.time() < deadline:
                    time.sleep(0.05)
                in_flight = gateway.in_flight()
                if error is None and growth > RSS_LIMIT:
                    error = f"RSS grew {growth / 2**20:.1f} MiB, over the {RSS_LIMIT >> 20} MiB bound"
                if error is None and in_flight != 0:
                    error = f"/endpoints reads {in_flight} in flight after the load stopped"
                verdict = "ok" if error is None else f"FAIL: {error}"
                print(f"backpressure: {name}: RSS +{growth / 2**20:.1f} MiB (baseline "
                      f"{sampler.baseline / 2**20:.1f} MiB), {seconds:.1f} s, in flight after: {in_flight}: {verdict}",
                      flush=True)
                failures += error is not None
                gateway.stop()
        finally:
            for backend in backends.values():
                backend.stop()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
