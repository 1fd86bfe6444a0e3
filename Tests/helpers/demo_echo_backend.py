"""The demo EchoService implemented with Python grpcio, driven by the demo's own descriptor set.

Usage: demo_echo_backend.py DESCRIPTOR_SET NAME [EXTRA_DELAY_MS [PORT [ALWAYS_FAIL_CODE]]]
Listens on 127.0.0.1 on PORT (default 0: a free port; a given port is reused, so that a backend can be
restarted on the same address) and prints that port on one line. It dies with its parent
(PR_SET_PDEATHSIG). Tests kill it with SIGKILL to crash a backend for real, in its own process; SIGTERM
stops it gracefully (GOAWAY, calls in flight finish).

EchoService.Echo: replies with the request's message and served_by = NAME, after delay_ms (plus
EXTRA_DELAY_MS, to make one instance slower than the others); fails with fail_code if it is non-zero
("requested failure"). With a non-zero ALWAYS_FAIL_CODE it answers every call at once with that gRPC
status (e.g. 14, UNAVAILABLE: a backend that fails fast).
"""
import ctypes
import signal
import sys
import time
from concurrent import futures

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PR_SET_PDEATHSIG = 1
try:
    ctypes.CDLL("libc.so.6").prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
except OSError:
    pass


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
    request_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("portico.demo.echo.v1.EchoRequest"))
    response_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("portico.demo.echo.v1.EchoResponse"))

    def status_code(number):
        return grpc.StatusCode(next(c for c in grpc.StatusCode if c.value[0] == number))

    def echo(request, context):
        if always_fail_code:
            context.abort(status_code(always_fail_code), "this backend always fails")
        if request.delay_ms or extra_delay_ms:
            time.sleep((request.delay_ms + extra_delay_ms) / 1000)
        if request.fail_code:
            context.abort(status_code(request.fail_code), "requested failure")
        return response_class(message=request.message, served_by=name)

    handler = grpc.unary_unary_rpc_method_handler(
        echo, request_deserializer=request_class.FromString, response_serializer=response_class.SerializeToString)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("portico.demo.echo.v1.EchoService", {"Echo": handler}),))
    port = server.add_insecure_port(f"127.0.0.1:{listen_port}")
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: server.stop(grace=10))
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
