#!/usr/bin/env python3
"""Builds golden vectors for the Swift transcoder tests from an independent implementation: Python's
protobuf runtime (google.protobuf.json_format) loading transcoding_test.pb.

Writes golden.json next to this script:
  decode: wire bytes (base64) -> the JSON Python prints, with default options, with proto names, and with
          always_print_fields_with_no_presence;
  encode: JSON text -> the canonical wire bytes Python serializes after parsing it (ignore_unknown_fields);
  reject: JSON text that Python refuses to parse.
Run: python3 Tests/GatewayTests/Resources/make_golden.py
"""
import base64
import json
import math
import os
import struct

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))
fds = descriptor_pb2.FileDescriptorSet.FromString(open(os.path.join(HERE, "transcoding_test.pb"), "rb").read())
pool = descriptor_pool.DescriptorPool()
for file in fds.file:
    pool.Add(file)


def cls(name):
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


Everything = cls("portico.test.Everything")
Scalars = cls("portico.test.Scalars")
Repeateds = cls("portico.test.Repeateds")
Maps = cls("portico.test.Maps")
Tree = cls("portico.test.Tree")
Choices = cls("portico.test.Choices")
WellKnown = cls("portico.test.WellKnown")


def varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def tag(number, wire_type):
    return varint(number << 3 | wire_type)


def length_delimited(number, payload):
    return tag(number, 2) + varint(len(payload)) + payload


def b64(data):
    return base64.b64encode(data).decode()


def printed(message, **options):
    return json.loads(json_format.MessageToJson(message, descriptor_pool=pool, **options))


decode = []


def add_decode(name, type_name, wire):
    message = cls(type_name).FromString(wire)
    decode.append({
        "name": name,
        "type": type_name,
        "wire": b64(wire),
        "json": printed(message),
        "protoNames": printed(message, preserving_proto_field_name=True),
        "unpopulated": printed(message, always_print_fields_with_no_presence=True),
    })


# --- messages built through the Python API -------------------------------------------------------
full = Scalars(
    f_double=1.5, f_float=0.1, f_int64=-(2**63), f_uint64=2**64 - 1, f_int32=-(2**31), f_fixed64=2**64 - 1,
    f_fixed32=2**32 - 1, f_bool=True, f_string='héllo "wörld"\n\t\\ \u2028 \U0001F600 \x01',
    f_bytes=bytes(range(256)), f_uint32=2**32 - 1, f_sfixed32=-(2**31), f_sfixed64=2**63 - 1,
    f_sint32=-(2**31), f_sint64=-(2**63), f_color=-3)
add_decode("all scalars at extremes", "portico.test.Scalars", full.SerializeToString())
add_decode("small scalars", "portico.test.Scalars", Scalars(
    f_double=-0.25, f_float=3.0, f_int64=1, f_uint64=2, f_int32=-1, f_fixed64=3, f_fixed32=4, f_string="x",
    f_bytes=b"\xff\xfe", f_uint32=7, f_sfixed32=-8, f_sfixed64=-9, f_sint32=-10, f_sint64=11,
    f_color=1).SerializeToString())
add_decode("special floats", "portico.test.Scalars", Scalars(
    f_double=float("nan"), f_float=float("-inf")).SerializeToString())
add_decode("infinity and tiny", "portico.test.Repeateds", Repeateds(
    r_double=[float("inf"), 5e-324, 1e300, 1e-7, 123456789.125, 1e16, 1e21],
    r_float=[3.0e38, 1.401298464324817e-45, 1e10, 0.3]).SerializeToString())
add_decode("unknown enum number", "portico.test.Scalars", Scalars(f_color=42).SerializeToString())
add_decode("empty message", "portico.test.Everything", b"")
rep = Repeateds(
    r_double=[0, -1.5], r_float=[2.5], r_int64=[0, -1, 2**62], r_uint64=[2**64 - 1], r_int32=[-5, 5, 0],
    r_fixed64=[1], r_fixed32=[2], r_bool=[True, False], r_string=["a", "", "c"], r_bytes=[b"", b"\x00"],
    r_uint32=[9], r_sfixed32=[-1], r_sfixed64=[-2], r_sint32=[-3, 3], r_sint64=[-4], r_color=[1, 2, -3, 7],
    r_unpacked=[1, -1, 300])
rep.r_message.add(f_int32=1)
rep.r_message.add()
add_decode("repeated of every type", "portico.test.Repeateds", rep.SerializeToString())
maps = Maps()
maps.string_to_string["a"] = "b"
maps.string_to_string[""] = ""
maps.string_to_string["quote\"key"] = "v"
maps.int32_to_int64[-1] = 2**63 - 1
maps.int32_to_int64[0] = 0
maps.int64_to_message[-(2**63)].f_int32 = 5
maps.int64_to_message[7].CopyFrom(Scalars())
maps.bool_to_color[True] = 2
maps.bool_to_color[False] = 0
maps.uint32_to_bytes[4294967295] = b"\x01\x02\x03"
maps.sint64_to_double[-5] = float("nan")
maps.sint64_to_double[6] = -0.5
maps.fixed32_to_string[8] = "eight"
maps.string_to_tree["t"].children.add(label="leaf")
add_decode("maps with every key type", "portico.test.Maps", maps.SerializeToString())
tree = Tree(label="root", weight=1)
node = tree
for depth in range(20):
    node = node.left
    node.label = "l%d" % depth
tree.children.add(label="c1").children.add(label="c1.1")
tree.children.add()
add_decode("recursive tree", "portico.test.Tree", tree.SerializeToString())
for name, message in [
    ("oneof string", Choices(choice_string="")),
    ("oneof int zero", Choices(choice_int=0)),
    ("oneof message", Choices(choice_message=Scalars(f_bool=True))),
    ("oneof enum", Choices(choice_color=0)),
    ("optionals zero", Choices(opt_int=0, opt_string="", opt_color=0, opt_bool=False)),
    ("optionals set", Choices(opt_int=-7, opt_string="s", opt_color=2, opt_bool=True, plain="p")),
    ("no optionals", Choices(plain="")),
]:
    add_decode(name, "portico.test.Choices", message.SerializeToString())
named = cls("portico.test.Named")(custom_json="x", snake_case_field=2, field_with_2_digits=3)
add_decode("json_name overrides", "portico.test.Named", named.SerializeToString())
wk = WellKnown()
wk.timestamp.FromJsonString("2024-02-29T23:59:59.123456789Z")
wk.duration.FromJsonString("-1.500s")
wk.int32_value.value = 0
wk.int64_value.value = -(2**63)
wk.uint32_value.value = 7
wk.uint64_value.value = 2**64 - 1
wk.float_value.value = 1.25
wk.double_value.value = float("inf")
wk.bool_value.value = True
wk.string_value.value = "s"
wk.bytes_value.value = b"\x00\x01"
wk.empty.SetInParent()
wk.field_mask.paths.extend(["a.b_c", "d_e_f"])
wk.struct.update({"a": 1, "b": [True, None, "x", {"c": {}}], "d": None})
wk.value.string_value = "v"
wk.list_value.extend([1, "two", None, [3]])
wk.timestamps.add(seconds=0)
wk.timestamps.add(seconds=-62135596800)
wk.timestamps.add(seconds=253402300799, nanos=1000)
wk.values["n"].null_value = 0
wk.values["num"].number_value = -2.5
wk.values["s"].struct_value.update({})
wk.anys.add().Pack(Scalars(f_int32=5, f_string="packed"))
wk.anys.add().Pack(cls("google.protobuf.Duration")(seconds=2))
wk.anys.add()
add_decode("well-known types", "portico.test.WellKnown", wk.SerializeToString())
wk2 = WellKnown()
wk2.timestamp.FromJsonString("1969-12-31T23:59:59.100Z")
wk2.duration.FromJsonString("0.000000001s")
wk2.value.bool_value = False
wk2.int32_value.SetInParent()
add_decode("well-known edge values", "portico.test.WellKnown", wk2.SerializeToString())
everything = Everything(scalars=full, repeateds=rep, maps=maps, tree=tree, choices=Choices(choice_int=5),
                        named=named, well_known=wk)
add_decode("everything", "portico.test.Everything", everything.SerializeToString())

# --- hand-made wire: merge, last-wins, out-of-order, unpacked/packed mix, unknown fields ------------------
a = Everything(scalars=Scalars(f_int32=1, f_string="first"), tree=Tree(label="a"), choices=Choices(choice_int=1))
b = Everything(scalars=Scalars(f_int64=2, f_string="second"), tree=Tree(weight=3), choices=Choices(choice_string="z"))
add_decode("singular messages merge, last scalar wins", "portico.test.Everything",
           a.SerializeToString() + b.SerializeToString())
unpacked_ints = b"".join(tag(5, 0) + varint(v) for v in [1, -2, 3])
packed_ints = length_delimited(5, varint(4) + varint(5))
unpacked_floats = b"".join(tag(2, 5) + struct.pack("<f", v) for v in [1.5, -2.0])
packed_into_unpacked = length_delimited(17, varint(7) + varint(8))
add_decode("packed and unpacked mixed", "portico.test.Repeateds",
           unpacked_ints + packed_ints + unpacked_floats + packed_into_unpacked + tag(5, 0) + varint(6))
unknown = (tag(999, 0) + varint(5) + length_delimited(1000, b"junk") + tag(1001, 5) + b"\x00\x00\x00\x00"
           + tag(1002, 1) + b"\x00" * 8 + tag(1003, 3) + tag(1, 0) + varint(1) + tag(1003, 4))
add_decode("unknown fields skipped", "portico.test.Scalars",
           unknown + tag(5, 0) + varint(9) + unknown + length_delimited(9, b"ok"))
add_decode("fields out of order", "portico.test.Scalars",
           length_delimited(9, b"s") + tag(5, 0) + varint(3) + tag(1, 1) + struct.pack("<d", 2.5) + tag(5, 0) + varint(4))
entry1 = length_delimited(1, b"k") + length_delimited(2, b"v1")
entry2 = length_delimited(2, b"v2") + length_delimited(1, b"k")
add_decode("map duplicate keys keep the last", "portico.test.Maps",
           length_delimited(1, entry1) + length_delimited(1, length_delimited(1, b"other")) + length_delimited(1, entry2))
add_decode("map entry without key or value", "portico.test.Maps",
           length_delimited(2, b"") + length_delimited(3, tag(1, 0) + varint(4)) + length_delimited(8, b""))
add_decode("oneof last member wins", "portico.test.Choices",
           tag(2, 0) + varint(9) + length_delimited(1, b"later"))
add_decode("zero scalars on the wire", "portico.test.Scalars",
           tag(5, 0) + varint(0) + length_delimited(9, b"") + tag(1, 1) + b"\x00" * 8)

# --- JSON -> wire ------------------------------------------------------------------------------------
encode = []
reject = []


def add_encode(name, type_name, text):
    message = cls(type_name)()
    json_format.Parse(text, message, ignore_unknown_fields=True, descriptor_pool=pool)
    encode.append({"name": name, "type": type_name, "input": text,
                   "wire": b64(message.SerializeToString(deterministic=True))})


def add_reject(name, type_name, text):
    try:
        json_format.Parse(text, cls(type_name)(), ignore_unknown_fields=True, descriptor_pool=pool)
    except json_format.ParseError:
        reject.append({"name": name, "type": type_name, "input": text})
        return
    print("note: Python accepts %s; not a shared rejection vector" % name)


for vector in decode:
    add_encode("round trip of " + vector["name"], vector["type"], json.dumps(vector["json"]))
    add_encode("round trip (proto names) of " + vector["name"], vector["type"], json.dumps(vector["protoNames"]))
add_encode("integers as strings and exponents", "portico.test.Scalars",
           '{"fInt64": "-9223372036854775808", "fUint64": 1.8e19, "fInt32": "7", "fUint32": 1e2, '
           '"fSint64": "12", "fFixed32": 4.0, "fSfixed64": "-1"}')
add_encode("floats as strings", "portico.test.Scalars",
           '{"fDouble": "NaN", "fFloat": "-Infinity"}')
add_encode("float from string number", "portico.test.Scalars", '{"fDouble": "1.25", "fFloat": "2"}')
add_encode("enum by number and name", "portico.test.Repeateds", '{"rColor": [1, "GREEN", -3, 17, "BLUE"]}')
add_encode("bytes url-safe unpadded", "portico.test.Repeateds",
           '{"rBytes": ["-_8", "+/8=", "", "AA", "AAA=", "YWJj"]}')
add_encode("nulls mean absent", "portico.test.Everything",
           '{"scalars": null, "tree": {"label": null, "children": null}, "maps": {"stringToString": null}}')
add_encode("unknown fields ignored", "portico.test.Everything",
           '{"nope": {"deep": [1, {"x": null}]}, "scalars": {"fInt32": 3, "alsoUnknown": "x"}, "z": true}')
add_encode("proto and json names mixed", "portico.test.Everything",
           '{"well_known": {"int32Value": 5, "string_value": "s"}, "named": {"renamed": "r", "snake_case_field": 4, "fieldWith2Digits": 5}}')
add_encode("escapes in strings", "portico.test.Scalars",
           '{"fString": "a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u0000"}')
add_encode("whitespace everywhere", "portico.test.Repeateds", ' \n{ "rInt32" :\t[ 1 , 2 ] , "rString" : [ "x" ] }\r\n')
add_encode("oneof with null sibling", "portico.test.Choices", '{"choiceInt": null, "choiceString": "s"}')
add_encode("optional zeros kept", "portico.test.Choices", '{"optInt": 0, "optString": "", "optBool": false, "optColor": "COLOR_UNSPECIFIED"}')
add_encode("map keys converted", "portico.test.Maps",
           '{"int32ToInt64": {"-5": "6", "7": 8}, "boolToColor": {"true": "RED", "false": 2}, '
           '"uint32ToBytes": {"4294967295": "AQ=="}, "sint64ToDouble": {"-9": "Infinity"}, '
           '"fixed32ToString": {"0": ""}, "int64ToMessage": {"1": {}}, "stringToTree": {"a": {"label": "b"}}}')
add_encode("well-known types from JSON", "portico.test.WellKnown",
           '{"timestamp": "2000-01-01T00:00:00+01:30", "duration": "3s", "int64Value": "5", "boolValue": false, '
           '"fieldMask": "aB.cD,e", "struct": {"k": [1, {"x": null}]}, "value": {"a": []}, "listValue": [null, true], '
           '"empty": {}, "values": {"z": null, "y": 1.5}, "timestamps": ["1970-01-01T00:00:00.5Z"], '
           '"bytesValue": "AAE="}')
add_encode("value as number and empty struct", "portico.test.WellKnown", '{"value": 3, "struct": {}}')
add_encode("deep recursion", "portico.test.Tree", '{"left":' * 30 + '{"label": "x"}' + '}' * 30)
add_encode("negative duration fraction", "portico.test.WellKnown", '{"duration": "-0.5s"}')

add_reject("int32 overflow", "portico.test.Scalars", '{"fInt32": 2147483648}')
add_reject("uint32 negative", "portico.test.Scalars", '{"fUint32": -1}')
add_reject("int64 overflow", "portico.test.Scalars", '{"fInt64": "9223372036854775808"}')
add_reject("uint64 overflow", "portico.test.Scalars", '{"fUint64": "18446744073709551616"}')
add_reject("fraction for int", "portico.test.Scalars", '{"fInt32": 1.5}')
add_reject("float too large", "portico.test.Scalars", '{"fFloat": 1e39}')
add_reject("string for bool", "portico.test.Scalars", '{"fBool": "true"}')
add_reject("number for string", "portico.test.Scalars", '{"fString": 1}')
add_reject("bad base64", "portico.test.Scalars", '{"fBytes": "!!!"}')
add_reject("object for int", "portico.test.Scalars", '{"fInt32": {}}')
add_reject("array for singular", "portico.test.Scalars", '{"fInt32": [1]}')
add_reject("scalar for message", "portico.test.Everything", '{"scalars": 5}')
add_reject("scalar for repeated", "portico.test.Repeateds", '{"rInt32": 5}')
add_reject("null in array", "portico.test.Repeateds", '{"rInt32": [1, null]}')
add_reject("two oneof members", "portico.test.Choices", '{"choiceInt": 1, "choiceString": "x"}')
add_reject("bad timestamp", "portico.test.WellKnown", '{"timestamp": "2020-13-01T00:00:00Z"}')
add_reject("bad duration", "portico.test.WellKnown", '{"duration": "5"}')
add_reject("bool map key", "portico.test.Maps", '{"boolToColor": {"yes": 1}}')
add_reject("int map key", "portico.test.Maps", '{"int32ToInt64": {"x": 1}}')
add_reject("truncated", "portico.test.Scalars", '{"fInt32": 1')
add_reject("trailing comma", "portico.test.Scalars", '{"fInt32": 1,}')
add_reject("not an object", "portico.test.Scalars", '[1]')
add_reject("bad literal", "portico.test.Scalars", '{"fBool": tru}')

with open(os.path.join(HERE, "golden.json"), "w") as out:
    json.dump({"decode": decode, "encode": encode, "reject": reject}, out, indent=1, ensure_ascii=True, allow_nan=False)
    out.write("\n")
print("decode %d, encode %d, reject %d" % (len(decode), len(encode), len(reject)))
