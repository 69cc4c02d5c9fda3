#!/usr/bin/env python3
"""An independent safetensors writer and reader, using only struct and json (no gibbs code).

  make_foreign_safetensors.py write OUT    writes the file that tests/io/safetensors_test.cpp
                                           expects (also checked in as data/foreign.safetensors)
  make_foreign_safetensors.py read IN      prints {name: [dtype, shape, values]} as JSON, for a
                                           file that gibbs wrote

The written file differs from what gibbs writes on purpose: the header lists the tensors in an
order other than their data order, the header is not padded, and the metadata comes last.
"""
import json
import struct
import sys

FORMATS = {"F32": "f", "F64": "d", "I64": "q", "I32": "i", "U8": "B", "I16": "h"}


def write(path):
    tensors = [  # (name, dtype, shape, values) in data order
        ("layer.weight", "F32", [2, 3], [0.5, -1.25, 3.0, 4.0, 5.0, 0.006]),
        ("counts", "I64", [4], [1, -2, 3, 1 << 40]),
        ("pi", "F64", [], [3.141592653589793]),
        ("empty", "U8", [0], []),
        ("mask", "I16", [1, 2], [-300, 300]),
    ]
    header, data = {}, b""
    for name, dtype, shape, values in tensors:
        blob = struct.pack("<%d%s" % (len(values), FORMATS[dtype]), *values)
        header[name] = {"data_offsets": [len(data), len(data) + len(blob)],
                        "shape": shape, "dtype": dtype}
        data += blob
    # Header order: reversed data order, metadata last.
    ordered = {name: header[name] for name, *_ in reversed(tensors)}
    ordered["__metadata__"] = {"format": "pt", "written_by": "python struct+json"}
    text = json.dumps(ordered).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    out = {"__metadata__": header.pop("__metadata__", {})}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        fmt = FORMATS[info["dtype"]]
        count = (end - begin) // struct.calcsize(fmt)
        out[name] = [info["dtype"], info["shape"],
                     list(struct.unpack("<%d%s" % (count, fmt), data[begin:end]))]
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
