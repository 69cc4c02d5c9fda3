#!/usr/bin/env python3
"""Writes an RBM checkpoint with nothing but struct and json (no gibbs code), as another tool
would: W as F64 (M=5, N=3), a and b as F32, tensors in the header in an order other than their
data order, no padding, metadata last. Checked in as data/python_rbm.safetensors and read by
rbm_io_test.cpp, which knows the same parameters.

    python3 make_python_rbm.py data/python_rbm.safetensors
"""
import json
import struct
import sys

M, N = 5, 3
W = [[0.1 * (i + 1) * (-1) ** (i + j) + 0.05 * j for j in range(N)] for i in range(M)]
a = [-0.5 + 0.25 * i for i in range(M)]
b = [0.3, -0.7, 0.2]


def main(path):
    tensors = [  # (name, dtype, shape, values) in data order
        ("b", "F32", [N], b),
        ("W", "F64", [M, N], [w for row in W for w in row]),
        ("a", "F32", [M], a),
    ]
    fmt = {"F32": "f", "F64": "d"}
    header, data = {}, b""
    for name, dtype, shape, values in tensors:
        blob = struct.pack("<%d%s" % (len(values), fmt[dtype]), *values)
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    ordered = {k: header[k] for k in ("W", "a", "b")}
    ordered["__metadata__"] = {"model": "rbm", "visible": "binary", "hidden": "binary",
                               "written_by": "python struct+json"}
    text = json.dumps(ordered).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


if __name__ == "__main__":
    main(sys.argv[1])
