#!/usr/bin/env python3
"""Writes a descriptor set of N gRPC services x 10 annotated methods, and a Portico config serving it, for the
scale benchmark (bench/services.sh) and tests.

Usage: generate.py N OUT_DIR [--endpoint HOST:PORT]
Writes OUT_DIR/sNNNN.pb (one FileDescriptorSet per service, with its own messages and its imports) and
OUT_DIR/portico.yaml (one backend per service, static endpoint).
"""
import os
import sys

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pb2

VERBS = [("get", "/v1/{package}/items/{{name}}", ""), ("get", "/v1/{package}/items", ""),
         ("post", "/v1/{package}/items", "*"), ("patch", "/v1/{package}/items/{{item.name}}", "item"),
         ("delete", "/v1/{package}/items/{{name}}", ""), ("post", "/v1/{package}/items/{{name}}:archive", "*"),
         ("post", "/v1/{package}/items/{{name}}:restore", "*"), ("get", "/v1/{package}/items/{{name}}/history", ""),
         ("put", "/v1/{package}/items/{{item.name}}", "item"), ("post", "/v1/{package}/items:search", "*")]
METHODS = ["GetItem", "ListItems", "CreateItem", "UpdateItem", "DeleteItem", "ArchiveItem", "RestoreItem",
           "GetHistory", "ReplaceItem", "SearchItems"]


def field(name, number, type_, type_name=None, repeated=False):
    f = descriptor_pb2.FieldDescriptorProto(name=name, number=number, type=type_)
    f.label = f.LABEL_REPEATED if repeated else f.LABEL_OPTIONAL
    if type_name:
        f.type_name = type_name
    return f


def service_file(index):
    package = f"bench.s{index:04d}.v1"
    file = descriptor_pb2.FileDescriptorProto(name=f"bench/s{index:04d}.proto", package=package, syntax="proto3")
    file.dependency.append("google/api/annotations.proto")
    T = descriptor_pb2.FieldDescriptorProto
    item = file.message_type.add(name="Item")
    item.field.extend([field("name", 1, T.TYPE_STRING), field("title", 2, T.TYPE_STRING),
                       field("count", 3, T.TYPE_INT64), field("tags", 4, T.TYPE_STRING, repeated=True)])
    request = file.message_type.add(name="ItemRequest")
    request.field.extend([field("name", 1, T.TYPE_STRING), field("item", 2, T.TYPE_MESSAGE, f".{package}.Item"),
                          field("page_size", 3, T.TYPE_INT32)])
    reply = file.message_type.add(name="ItemReply")
    reply.field.extend([field("items", 1, T.TYPE_MESSAGE, f".{package}.Item", repeated=True),
                        field("next_page_token", 2, T.TYPE_STRING)])
    service = file.service.add(name="ItemService")
    for method_name, (verb, template, body) in zip(METHODS, VERBS):
        method = service.method.add(name=method_name, input_type=f".{package}.ItemRequest",
                                    output_type=f".{package}.ItemReply")
        rule = http_pb2.HttpRule(body=body)
        setattr(rule, verb, template.format(package=f"s{index:04d}"))
        method.options.Extensions[annotations_pb2.http].CopyFrom(rule)
    return file


def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    endpoint = sys.argv[sys.argv.index("--endpoint") + 1] if "--endpoint" in sys.argv else "127.0.0.1:1"
    os.makedirs(out, exist_ok=True)
    imports = [descriptor_pb2.FileDescriptorProto.FromString(module.DESCRIPTOR.serialized_pb)
               for module in (descriptor_pb2, http_pb2, annotations_pb2)]
    with open(os.path.join(out, "portico.yaml"), "w") as config:
        config.write("listen: 127.0.0.1:0\nadmin: 127.0.0.1:0\nbackends:\n")
        for index in range(count):
            files = descriptor_pb2.FileDescriptorSet(file=imports + [service_file(index)])
            with open(os.path.join(out, f"s{index:04d}.pb"), "wb") as f:
                f.write(files.SerializeToString())
            config.write(f"  - name: s{index:04d}\n    descriptors: [s{index:04d}.pb]\n"
                         f"    endpoints: [\"{endpoint}\"]\n")


if __name__ == "__main__":
    main()
