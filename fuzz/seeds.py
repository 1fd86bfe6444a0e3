#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target into OUT_DIR/<target>/ (fuzz/build.sh calls it).

JSONToWire and WireToJSON get every JSON input and wire message of Tests/GatewayTests/Resources/golden.json,
wrapped in the matching field of portico.test.Everything and prefixed with the selector byte each target reads
first (see fuzz/Targets); PathTemplates gets the templates of bench/routing and a few request paths.
"""
import base64
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIELDS = {  # message type → its field number and JSON name in portico.test.Everything
    "portico.test.Scalars": (1, "scalars"),
    "portico.test.Repeateds": (2, "repeateds"),
    "portico.test.Maps": (3, "maps"),
    "portico.test.Tree": (4, "tree"),
    "portico.test.Choices": (5, "choices"),
    "portico.test.Named": (6, "named"),
    "portico.test.WellKnown": (7, "wellKnown"),
}


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


def wrap_wire(type_name, wire):
    if type_name not in FIELDS:
        return wire
    number = FIELDS[type_name][0]
    return varint(number << 3 | 2) + varint(len(wire)) + wire


def wrap_json(type_name, text):
    if type_name not in FIELDS:
        return text
    return '{"%s": %s}' % (FIELDS[type_name][1], text)


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as file:
        file.write(data)


def main(out):
    golden = json.load(open(os.path.join(ROOT, "Tests/GatewayTests/Resources/golden.json")))
    json_dir, wire_dir, path_dir = (os.path.join(out, name) for name in ("JSONToWire", "WireToJSON", "PathTemplates"))

    for index, case in enumerate(golden["encode"] + golden["reject"]):
        text = wrap_json(case["type"], case["input"]).encode()
        write(json_dir, "golden-%03d" % index, b"\x00" + text)
    library = [
        (1, b'{"name":"n","title":"t","pages":"3","color":"RED","tags":["a","b"],"sequel":{"title":"u"}}',
         b"bookId=1&color=GREEN&numbers=1&numbers=2", b"shelves/1"),
        (3, b'{"name":"shelves/1/books/2","title":"t","sequel":{"pages":4}}', b"", b"shelves/1/books/2"),
        (3, b'{"title":"t"}', b"updateMask=title,pages", b"shelves/1/books/2"),
        (5, b"", b"pageSize=3&colors=RED&colors=2&filter.author=a%20b&labels[k]=v&colorByRank[1]=BLUE"
         b"&since=2020-01-01T00:00:00Z&pageToken=x", b"shelves/1"),
        (7, b"", b"view=full&filter.minPages=3&filter.color=GREEN", b"shelves/1/books/2"),
    ]
    for index, (selector, body, query, variable) in enumerate(library):
        write(json_dir, "library-%d" % index, bytes([selector]) + body + b"\x00" + query + b"\x00" + variable)

    for index, case in enumerate(golden["decode"] + golden["encode"]):
        wire = wrap_wire(case["type"], base64.b64decode(case["wire"]))
        write(wire_dir, "golden-%03d" % index, bytes([index % 32]) + wire)
        if case["type"] == "portico.test.WellKnown":
            write(wire_dir, "wellknown-%03d" % index, bytes([6 << 5 | index % 32]) + base64.b64decode(case["wire"]))
    book = b"\x0a\x01n\x12\x01t\x18\x03\x20\x01\x2a\x01a\x32\x03\x12\x01u"
    write(wire_dir, "list-books", bytes([5 << 5]) + b"\x0a" + varint(len(book)) + book + b"\x12\x01p")
    status = b"\x08\x03\x12\x01x"
    write(wire_dir, "status", bytes([7 << 5]) + base64.b64encode(status))

    templates = [
        "/v1/{parent=projects/*/locations/*}/things",
        "/v1/{name=projects/*/locations/*/things/*}",
        "/v1/{thing.name=projects/*/locations/*/things/*}",
        "/v1/{name=projects/*/locations/*/things/*}:cancel",
        "/v1/things:search",
        "/v1/things/{path=**}/raw",
        "/v2/things/{id}/default",
        "/svc.Service/Unannotated",
        "/v1/a%2Fb/{x=c/*/d}:do%3Ait",
    ]
    paths = [
        "/v1/projects/p1/locations/eu/things",
        "/v1/projects/p1/locations/eu/things/x:cancel",
        "/v1/things/a/b/c/raw",
        "/v1/things:search",
        "/v1/projects/p1/locations/eu/nothing/x%20y/z",
        "/v1/a%2Fb/c/%E2%82%AC/d:do%3Ait",
    ]
    for index, path in enumerate(paths):
        write(path_dir, "routes-%d" % index, ("\n".join(templates) + "\n" + path).encode())
    for index, template in enumerate(templates):
        write(path_dir, "template-%d" % index, (template + "\n/").encode())


if __name__ == "__main__":
    main(sys.argv[1])
