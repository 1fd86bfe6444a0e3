"""A grpcio backend that ships no descriptors to the gateway: it serves gRPC server reflection (v1 and v1alpha)
and the unary methods of a descriptor set, for Portico's onboarding tests.

Usage: reflecting_backend.py DESCRIPTOR_SET [--version TAG] [--port PORT]

Listens on 127.0.0.1 (on PORT, or on a free port) and prints the port on one line. It dies with its parent
(parent_watch.py). Every method answers with its output message, whose fields are copied from the request's
singular scalar fields of the same name and type (and a request field holding a message of
the output type is merged in), and whose string field `version`, if it has one, is TAG (default v1).
"""
import argparse
from concurrent import futures

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_reflection.v1alpha import reflection, reflection_pb2

from parent_watch import die_with_parent

die_with_parent()

V1 = "grpc.reflection.v1.ServerReflection"


def answer(input_class, output_class, version):
    def handle(request_bytes, context):
        request = input_class.FromString(request_bytes)
        reply = output_class()
        for field, value in request.ListFields():
            if field.message_type is not None and field.message_type.full_name == reply.DESCRIPTOR.full_name:
                reply.MergeFrom(value)
            elif field.name in reply.DESCRIPTOR.fields_by_name and isinstance(value, (str, bytes, int, float, bool)):
                target = reply.DESCRIPTOR.fields_by_name[field.name]
                if target.type == field.type:
                    setattr(reply, field.name, value)
        if "version" in reply.DESCRIPTOR.fields_by_name:
            reply.version = version
        return reply.SerializeToString()

    return handle


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("descriptor_set")
    parser.add_argument("--version", default="v1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    files = descriptor_pb2.FileDescriptorSet.FromString(open(args.descriptor_set, "rb").read()).file
    pool = descriptor_pool.DescriptorPool()
    for file in files:
        pool.Add(file)
    # No SO_REUSEPORT: a second server on a port taken must fail, not share it.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=[("grpc.so_reuseport", 0)])
    services = []
    for file in files:
        for service in file.service:
            name = f"{file.package}.{service.name}" if file.package else service.name
            services.append(name)
            descriptor = pool.FindServiceByName(name)
            handlers = {}
            for method in descriptor.methods:
                input_class = message_factory.GetMessageClass(method.input_type)
                output_class = message_factory.GetMessageClass(method.output_type)
                handlers[method.name] = grpc.unary_unary_rpc_method_handler(
                    answer(input_class, output_class, args.version)
                )
            server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(name, handlers),))
    names = services + [V1, reflection.SERVICE_NAME]
    reflection.enable_server_reflection(names, server, pool=pool)
    servicer = reflection.ReflectionServicer(names, pool=pool)
    v1 = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(V1, {"ServerReflectionInfo": v1}),))
    port = server.add_insecure_port(f"127.0.0.1:{args.port}")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
