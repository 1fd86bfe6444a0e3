#!/usr/bin/env python3
"""A gRPC server reflection client, as users run one, against Portico's aggregated reflection service.

Usage: reflection_list_client.py HOST:PORT [--describe pkg.Service.Method]... [--call pkg.Service.Method
       --request JSON] [--v1-stream]

Prints one JSON object:
  services   what grpcio-reflection's ProtoReflectionDescriptorDatabase lists (v1alpha);
  described  for each --describe: the method's file, its input and output types and the input's fields, the
             input type found with find_message_type_by_name in a fresh DescriptorPool over the database;
  reply      with --call: the reply of a unary call through HOST:PORT, with request and reply classes built from
             the reflected descriptors (no generated code);
  v1         with --v1-stream: the answers to several questions asked on one grpc.reflection.v1 stream, and the
             status of a call to a method the reflection service lacks.
"""

import argparse
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase


def split_method(full_name):
    service, _, method = full_name.rpartition(".")
    return service, method


def describe(channel, full_name):
    service_name, method_name = split_method(full_name)
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
    method = pool.FindServiceByName(service_name).methods_by_name[method_name]
    # A fresh pool: the message is found by its own file_containing_symbol question.
    fresh = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
    input_type = fresh.FindMessageTypeByName(method.input_type.full_name)
    return {
        "file": method.containing_service.file.name,
        "input": input_type.full_name,
        "output": method.output_type.full_name,
        "input_fields": [field.name for field in input_type.fields],
        "client_streaming": method.client_streaming,
        "server_streaming": method.server_streaming,
    }


def call(channel, full_name, request_json):
    service_name, method_name = split_method(full_name)
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
    method = pool.FindServiceByName(service_name).methods_by_name[method_name]
    request_class = message_factory.GetMessageClass(method.input_type)
    reply_class = message_factory.GetMessageClass(method.output_type)
    stub = channel.unary_unary(
        f"/{service_name}/{method_name}",
        request_serializer=request_class.SerializeToString,
        response_deserializer=reply_class.FromString,
    )
    reply = stub(json_format.Parse(request_json, request_class()), timeout=10)
    return json_format.MessageToDict(reply)


def v1_stream(channel):
    """Asks several questions on one grpc.reflection.v1 stream (its messages are v1alpha's, renamed)."""
    questions = [
        reflection_pb2.ServerReflectionRequest(host="portico.test", list_services=""),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="portico.demo.echo.v1.EchoService"),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="portico.demo.echo.v1.EchoRequest"),
        reflection_pb2.ServerReflectionRequest(file_by_filename="no/such.proto"),
        reflection_pb2.ServerReflectionRequest(all_extension_numbers_of_type="google.protobuf.MethodOptions"),
        reflection_pb2.ServerReflectionRequest(
            file_containing_extension=reflection_pb2.ExtensionRequest(
                containing_type="google.protobuf.MethodOptions", extension_number=72295728
            )
        ),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="grpc.reflection.v1.ServerReflection"),
    ]
    stub = channel.stream_stream(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    answers = []
    for response in stub(iter(questions), timeout=10):
        kind = response.WhichOneof("message_response")
        answer = {
            "kind": kind,
            "valid_host": response.valid_host,
            "echoes_request": response.original_request == questions[len(answers)],
        }
        if kind == "list_services_response":
            answer["services"] = [service.name for service in response.list_services_response.service]
        elif kind == "file_descriptor_response":
            names = []
            for blob in response.file_descriptor_response.file_descriptor_proto:
                file = descriptor_pb2.FileDescriptorProto()
                file.ParseFromString(blob)
                names.append(file.name)
            answer["files"] = names
        elif kind == "all_extension_numbers_response":
            answer["base_type_name"] = response.all_extension_numbers_response.base_type_name
            answer["numbers"] = list(response.all_extension_numbers_response.extension_number)
        elif kind == "error_response":
            answer["error_code"] = response.error_response.error_code
            answer["error_message"] = response.error_response.error_message
        answers.append(answer)
    other = channel.unary_unary("/grpc.reflection.v1.ServerReflection/Other")
    try:
        other(b"", timeout=10)
        unknown_method = "OK"
    except grpc.RpcError as error:
        unknown_method = error.code().name
    return {"answers": answers, "unknown_method": unknown_method}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--describe", action="append", default=[])
    parser.add_argument("--call")
    parser.add_argument("--request", default="{}")
    parser.add_argument("--v1-stream", action="store_true")
    args = parser.parse_args()
    with grpc.insecure_channel(args.target) as channel:
        result = {"services": list(ProtoReflectionDescriptorDatabase(channel).get_services())}
        result["described"] = {name: describe(channel, name) for name in args.describe}
        if args.call:
            result["reply"] = call(channel, args.call, args.request)
        if args.v1_stream:
            result["v1"] = v1_stream(channel)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
