"""A grpcio server with gRPC server reflection, for Portico's reflection client tests.

Usage:
  reflection_server.py DESCRIPTOR_SET [--reflection v1,v1alpha|v1alpha|none] [--one-file-per-answer]
                       [--hang-reflection] [--events FILE]
  reflection_server.py --silent [--events FILE]

Listens on 127.0.0.1 on a free port and prints that port on one line. It dies with its parent (parent_watch.py).

The services of DESCRIPTOR_SET (a FileDescriptorSet written with --include_imports) are served by a generic
handler that answers every method with an empty message, and described by reflection from a descriptor pool
holding the set's files. grpcio-reflection serves grpc.reflection.v1alpha only; grpc.reflection.v1 (the same
messages under another name) is its servicer registered under the v1 name.
  --reflection              which reflection services to serve (default: v1,v1alpha).
  --one-file-per-answer     each file answer holds the file asked for only, not its imports (as some servers do),
                            so that the client must ask for the imports by name.
  --hang-reflection         the reflection methods accept the call and never answer; when the client goes away,
                            "reflection-ended" is written to the events file.
  --silent                  no gRPC at all: a TCP server that reads what comes and never writes; when a client
                            closes its connection, "closed" is written to the events file.
"""
import argparse
import socket
import threading
import time
from concurrent import futures

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_reflection.v1alpha import reflection, reflection_pb2

from parent_watch import die_with_parent

die_with_parent()

V1 = "grpc.reflection.v1.ServerReflection"
V1ALPHA = reflection.SERVICE_NAME


def record(path, event):
    if path:
        with open(path, "a") as events:
            events.write(event + "\n")


def serve_silently(events):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)

    def drain(connection):
        with connection:
            while connection.recv(65536):
                pass
        record(events, "closed")

    while True:
        connection, _ = listener.accept()
        threading.Thread(target=drain, args=(connection,), daemon=True).start()


def reflection_handler(servicer, one_file, hang, events):
    def info(request_iterator, context):
        if hang:
            context.add_callback(lambda: record(events, "reflection-ended"))
            while context.is_active():
                time.sleep(0.05)
            return
        for response in servicer.ServerReflectionInfo(request_iterator, context):
            if one_file and response.HasField("file_descriptor_response"):
                del response.file_descriptor_response.file_descriptor_proto[1:]
            yield response

    return grpc.stream_stream_rpc_method_handler(
        info,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("descriptor_set", nargs="?")
    parser.add_argument("--reflection", default="v1,v1alpha")
    parser.add_argument("--one-file-per-answer", action="store_true")
    parser.add_argument("--hang-reflection", action="store_true")
    parser.add_argument("--silent", action="store_true")
    parser.add_argument("--events")
    args = parser.parse_args()
    if args.silent:
        serve_silently(args.events)
        return

    files = descriptor_pb2.FileDescriptorSet.FromString(open(args.descriptor_set, "rb").read()).file
    pool = descriptor_pool.DescriptorPool()
    for file in files:
        pool.Add(file)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    services = []
    for file in files:
        for service in file.service:
            name = f"{file.package}.{service.name}" if file.package else service.name
            services.append(name)
            handlers = {
                method.name: grpc.unary_unary_rpc_method_handler(lambda request, context: b"")
                for method in service.method
            }
            server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(name, handlers),))

    versions = [v for v in args.reflection.split(",") if v in ("v1", "v1alpha")]
    names = services + [{"v1": V1, "v1alpha": V1ALPHA}[v] for v in versions]
    servicer = reflection.ReflectionServicer(names, pool=pool)
    for version in versions:
        if version == "v1alpha" and not (args.one_file_per_answer or args.hang_reflection):
            # grpcio-reflection's own registration, as a real v1alpha server has it.
            reflection.enable_server_reflection(names, server, pool=pool)
            continue
        handler = reflection_handler(servicer, args.one_file_per_answer, args.hang_reflection, args.events)
        name = V1 if version == "v1" else V1ALPHA
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(name, {"ServerReflectionInfo": handler}),)
        )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
