"""The demo EchoService implemented with Python grpcio, driven by the demo's own descriptor set.

Usage: demo_echo_backend.py DESCRIPTOR_SET NAME [EXTRA_DELAY_MS [PORT [ALWAYS_FAIL_CODE]]]
Listens on 127.0.0.1 on PORT (default 0: a free port; a given port is reused, so that a backend can be
restarted on the same address) and prints that port on one line. It dies with its parent
(parent_watch.py). Tests kill it with SIGKILL to crash a backend for real, in its own process; SIGTERM
stops it gracefully (GOAWAY, calls in flight finish).

Every method of portico.demo.echo.v1.EchoService (Echo, Expand, Collect, Chat) behaves as Protos/demo/echo.proto
says, as the grpc-swift demo backend does: delays that give way to the call's deadline (DEADLINE_EXCEEDED),
requested failures (after the response headers if there are any, else trailers-only), response headers and
trailers, the received metadata, and the `served-by` metadata key on every response. grpcio hides the
`grpc-timeout` header from handlers: `received_metadata` gets it back from the call's deadline, in
milliseconds. EXTRA_DELAY_MS is added to every Echo call, to make one instance slower than the others. With
a non-zero ALWAYS_FAIL_CODE every call is answered at once with that gRPC status (e.g. 14, UNAVAILABLE: a
backend that fails fast).
"""
import base64
import re
import signal
import sys
import time
from concurrent import futures

import grpc
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory
from google.rpc import error_details_pb2, status_pb2

from parent_watch import die_with_parent

die_with_parent()

SERVICE = "portico.demo.echo.v1.EchoService"
MAX_EXPAND_COUNT = 10000
DEFAULT_EXPAND_COUNT = 3
# Lowercase, not reserved by HTTP/2 or gRPC: the keys a request may ask the server to send back.
VALID_KEY = re.compile(r"^[a-z0-9._-]+$")


def status_code(number):
    """The grpc.StatusCode numbered `number`, or None if there is none (or it is OK)."""
    return next((c for c in grpc.StatusCode if c.value[0] == number and number != 0), None)


class EchoService:
    def __init__(self, name, extra_delay_ms, always_fail_code, classes):
        self.name = name
        self.extra_delay_ms = extra_delay_ms
        self.always_fail = status_code(always_fail_code)
        self.response_class = classes["EchoResponse"]

    # --- helpers -------------------------------------------------------------------------------------

    def served_by(self):
        return [("served-by", self.name)]

    def fail(self, context, code, message, trailers=(), headers_sent=False):
        """Ends the call with `code`; trailers-only (carrying served-by) unless headers went out already."""
        if not headers_sent:
            trailers = self.served_by() + list(trailers)
        context.set_trailing_metadata(tuple(trailers))
        context.abort(code, message)

    @staticmethod
    def failure_details(code, message):
        """The grpc-status-details-bin trailer of a requested failure: an ErrorInfo naming it, as every backend of
        the interop tests sends."""
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.ErrorInfo(
            reason="REQUESTED_FAILURE", domain="portico.test", metadata={"code": str(code.value[0])}))
        status = status_pb2.Status(code=code.value[0], message=message, details=[detail])
        return ("grpc-status-details-bin", status.SerializeToString())

    def check_always_fail(self, context):
        if self.always_fail:
            self.fail(context, self.always_fail, "this backend always fails")

    def metadata(self, entries, field, context):
        result = []
        for entry in entries:
            key = entry.key
            if not VALID_KEY.match(key) or key.startswith("grpc-") or key in ("content-type", "te"):
                self.fail(context, grpc.StatusCode.INVALID_ARGUMENT, f'{field} has an invalid or reserved key "{key}"')
            result.append((key, entry.binary_value if key.endswith("-bin") else entry.value))
        return result

    def requested_failure(self, code, context):
        if code == 0:
            return None
        status = status_code(code)
        if status is None:
            self.fail(context, grpc.StatusCode.INVALID_ARGUMENT, f"fail_code {code} is not a gRPC status code (1-16)")
        return status

    @staticmethod
    def deadline_left(context):
        """Seconds until the call's deadline, or None without one (grpcio reports a far-away deadline then)."""
        remaining = context.time_remaining()
        return None if remaining is None or remaining > 10**8 else remaining

    def wait(self, milliseconds, context, headers_sent=False):
        """Waits, or fails with DEADLINE_EXCEEDED when the deadline comes first, as other gRPC servers do."""
        if milliseconds <= 0:
            return
        left = self.deadline_left(context)
        if left is not None and left < milliseconds / 1000:
            time.sleep(left)
            self.fail(context, grpc.StatusCode.DEADLINE_EXCEEDED, "the deadline passed while the server waited",
                      headers_sent=headers_sent)
        time.sleep(milliseconds / 1000)

    def received(self, context):
        received = {}
        for key, value in context.invocation_metadata():
            text = base64.b64encode(value).decode() if isinstance(value, bytes) else value
            received[key] = received[key] + ", " + text if key in received else text
        left = self.deadline_left(context)
        if left is not None:
            received["grpc-timeout"] = f"{max(int(left * 1000), 0)}m"
        return received

    def reply(self, request, context, sequence, extra_delay_ms=0):
        """Echo and Collect: waits delay_ms, then replies once or fails as `request` asks."""
        if request.delay_ms < 0:
            self.fail(context, grpc.StatusCode.INVALID_ARGUMENT, "delay_ms must not be negative")
        headers = self.metadata(request.response_headers, "response_headers", context)
        trailers = self.metadata(request.response_trailers, "response_trailers", context)
        failure = self.requested_failure(request.fail_code, context)
        self.wait(request.delay_ms + extra_delay_ms, context)
        if failure:
            if headers:
                context.send_initial_metadata(tuple(self.served_by() + headers))
            trailers = list(trailers) + [self.failure_details(failure, "requested failure")]
            self.fail(context, failure, "requested failure", trailers, headers_sent=bool(headers))
        context.send_initial_metadata(tuple(self.served_by() + headers))
        context.set_trailing_metadata(tuple(trailers))
        return self.response_class(
            message=request.message, served_by=self.name, received_metadata=self.received(context), sequence=sequence)

    # --- methods -------------------------------------------------------------------------------------

    def echo(self, request, context):
        self.check_always_fail(context)
        return self.reply(request, context, 0, self.extra_delay_ms)

    def expand(self, request, context):
        self.check_always_fail(context)
        if not 0 <= request.count <= MAX_EXPAND_COUNT or request.interval_ms < 0:
            self.fail(context, grpc.StatusCode.INVALID_ARGUMENT,
                      f"count must be between 0 and {MAX_EXPAND_COUNT} and interval_ms not negative")
        failure = self.requested_failure(request.fail_code, context)
        received = self.received(context)
        context.send_initial_metadata(tuple(self.served_by()))
        for sequence in range(request.count or DEFAULT_EXPAND_COUNT):
            self.wait(request.interval_ms, context, headers_sent=True)
            yield self.response_class(
                message=request.message, served_by=self.name, received_metadata=received, sequence=sequence)
        if failure:
            self.fail(context, failure, "requested failure", [self.failure_details(failure, "requested failure")],
                      headers_sent=True)

    def collect(self, request_iterator, context):
        self.check_always_fail(context)
        combined = None
        messages = []
        for request in request_iterator:
            if combined is None:
                combined = request
            messages.append(request.message)
        if combined is None:
            self.fail(context, grpc.StatusCode.INVALID_ARGUMENT, "Collect needs at least one request")
        combined.message = " ".join(messages)
        return self.reply(combined, context, len(messages))

    def chat(self, request_iterator, context):
        self.check_always_fail(context)
        context.send_initial_metadata(tuple(self.served_by()))
        received = None
        for sequence, request in enumerate(request_iterator):
            if received is None:
                received = self.received(context)
                trailers = self.metadata(request.response_trailers, "response_trailers", context)
                context.set_trailing_metadata(tuple(trailers))
            failure = self.requested_failure(request.fail_code, context)
            if failure:
                context.set_trailing_metadata(tuple(trailers) + (self.failure_details(failure, "requested failure"),))
                context.abort(failure, "requested failure")
            if request.delay_ms < 0:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "delay_ms must not be negative")
            self.wait(request.delay_ms, context, headers_sent=True)
            yield self.response_class(
                message=request.message, served_by=self.name, received_metadata=received, sequence=sequence)


def main():
    descriptor_path, name = sys.argv[1], sys.argv[2]
    extra_delay_ms = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    listen_port = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    always_fail_code = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    files = descriptor_pb2.FileDescriptorSet()
    with open(descriptor_path, "rb") as f:
        files.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    classes = {
        short: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"portico.demo.echo.v1.{short}"))
        for short in ("EchoRequest", "EchoResponse", "ExpandRequest")
    }
    service = EchoService(name, extra_delay_ms, always_fail_code, classes)
    codec = {
        "response_serializer": classes["EchoResponse"].SerializeToString,
    }
    handlers = {
        "Echo": grpc.unary_unary_rpc_method_handler(
            service.echo, request_deserializer=classes["EchoRequest"].FromString, **codec),
        "Expand": grpc.unary_stream_rpc_method_handler(
            service.expand, request_deserializer=classes["ExpandRequest"].FromString, **codec),
        "Collect": grpc.stream_unary_rpc_method_handler(
            service.collect, request_deserializer=classes["EchoRequest"].FromString, **codec),
        "Chat": grpc.stream_stream_rpc_method_handler(
            service.chat, request_deserializer=classes["EchoRequest"].FromString, **codec),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port(f"127.0.0.1:{listen_port}")
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: server.stop(grace=10))
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
