#!/usr/bin/env python3
"""The Python side of the transcoder's differential tests (Tests/GatewayTests/Transcoding/DifferentialTests.swift):
protobuf's own JSON mapping (google.protobuf.json_format) answering a batch of questions about messages of
Tests/GatewayTests/Resources/transcoding_test.pb.

Reads requests, one JSON object a line, from the file named by the first argument (or standard input), and
writes one JSON answer a line, in the same order, to standard output:

  {"print": "<wire bytes, base64>", "options": [{"protoNames": true, "unpopulated": false, "enumsAsInts": false}]}
      -> {"json": ["<MessageToJson text for each option set>", ...]}
  {"parse": "<JSON text>"}
      -> {"wire": "<json_format.Parse, then deterministic SerializeToString, base64>"}
  either, when Python refuses it
      -> {"error": "<why>"}

Every request may name its message type with "type" (default portico.test.Everything).
Run: python3 Tests/helpers/json_oracle.py requests.jsonl
"""
import base64
import json
import os
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

SCHEMA = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "GatewayTests", "Resources", "transcoding_test.pb")

pool = descriptor_pool.DescriptorPool()
with open(SCHEMA, "rb") as schema:
    for file in descriptor_pb2.FileDescriptorSet.FromString(schema.read()).file:
        pool.Add(file)

classes = {}


def message_class(name):
    if name not in classes:
        classes[name] = message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
    return classes[name]


def printed(message, options):
    return json_format.MessageToJson(
        message,
        indent=None,
        descriptor_pool=pool,
        preserving_proto_field_name=options.get("protoNames", False),
        always_print_fields_with_no_presence=options.get("unpopulated", False),
        use_integers_for_enums=options.get("enumsAsInts", False),
    )


def answer(request):
    cls = message_class(request.get("type", "portico.test.Everything"))
    try:
        if "print" in request:
            message = cls.FromString(base64.b64decode(request["print"]))
            return {"json": [printed(message, options) for options in request.get("options", [{}])]}
        message = cls()
        json_format.Parse(request["parse"], message, descriptor_pool=pool)
        return {"wire": base64.b64encode(message.SerializeToString(deterministic=True)).decode()}
    except Exception as error:  # ParseError, SerializeToJsonError, DecodeError, and upb's own errors alike
        return {"error": "%s: %s" % (type(error).__name__, error)}


def main():
    source = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    out = sys.stdout
    for line in source:
        if line.strip():
            out.write(json.dumps(answer(json.loads(line))))
            out.write("\n")
    out.flush()


if __name__ == "__main__":
    main()
