"""A raw-bytes gRPC echo server for Portico's HTTP/2 client tests.

Usage: grpc_echo_server.py [max_concurrent_streams] [--answer-any-method]
Listens on 127.0.0.1 on a free port and prints that port on one line. It dies with its parent (parent_watch.py).
With --answer-any-method, a unary call to any other service's method gets an empty message back (a valid
reply of any proto3 type), for gateways in front of generated services.

Methods (service echo.Echo, messages are raw bytes):
  Unary         returns the request.
  ServerStream  returns the request three times.
  Hang          returns the request once, then never ends (for killing the server mid-call).
"""
import sys
import threading
from concurrent import futures

import grpc

from parent_watch import die_with_parent

die_with_parent()


def unary(request, context):
    return request


def server_stream(request, context):
    for _ in range(3):
        yield request


def hang(request, context):
    yield request
    threading.Event().wait()


class AnyMethod(grpc.GenericRpcHandler):
    def service(self, handler_call_details):
        return grpc.unary_unary_rpc_method_handler(lambda request, context: b"")


def main():
    options = []
    numbers = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    if numbers:
        options.append(("grpc.max_concurrent_streams", int(numbers[0])))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=options)
    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
        "Hang": grpc.unary_stream_rpc_method_handler(hang),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("echo.Echo", handlers),))
    if "--answer-any-method" in sys.argv:
        server.add_generic_rpc_handlers((AnyMethod(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
