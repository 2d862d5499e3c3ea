#!/usr/bin/env python3
"""Unary float ops at the edges of float32, through aicc, against ONNX Runtime.

Every unary float op whose kernel uses a fast approximation (Halide's
polynomial exp/log/erf/tanh/pow and the activations built on them) runs on
[+-2e9, +-inf, nan, +-3.4e38, +-1e-40, 0, -0] and must give ONNX Runtime's
values: the same NaNs and infinities, finite values within a relative
tolerance of 1e-4 (absolute 1e-6). Issue 14, item 5.

usage: unary-edges.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
                      [--target avx512] [--op NAME]...
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from aicc_cli import tool_parser

EDGES = np.array([2e9, -2e9, np.inf, -np.inf, np.nan, 3.4e38, -3.4e38,
                  1e-40, -1e-40, 0.0, -0.0], dtype=np.float32)
# Ordinary values: the edge handling must not change them.
ORDINARY = np.array([-3.5, -2.0, -1.0, -0.5, 0.25, 0.5, 1.0, 2.0, 3.7, 10.0,
                     50.0, 1e-3, -7.25, 80.0, -80.0, 1e-30], dtype=np.float32)
VALUES = np.concatenate([EDGES, ORDINARY])

# name -> (op type, attributes, opset). Pow takes x as base and exponent.
OPS = {
    "Exp": ("Exp", {}, 17),
    "Log": ("Log", {}, 17),
    "Sigmoid": ("Sigmoid", {}, 17),
    "Tanh": ("Tanh", {}, 17),
    "Erf": ("Erf", {}, 17),
    "Pow": ("Pow", {}, 17),
    "Elu": ("Elu", {}, 17),
    "Selu": ("Selu", {}, 17),
    "Celu": ("Celu", {}, 17),
    "Softplus": ("Softplus", {}, 17),
    "Mish": ("Mish", {}, 18),
    "Gelu": ("Gelu", {}, 20),
    "GeluTanh": ("Gelu", {"approximate": "tanh"}, 20),
    "Sinh": ("Sinh", {}, 17),
    "Cosh": ("Cosh", {}, 17),
    "Asinh": ("Asinh", {}, 17),
    "Acosh": ("Acosh", {}, 17),
    "Atanh": ("Atanh", {}, 17),
    "Sqrt": ("Sqrt", {}, 17),
    "Sin": ("Sin", {}, 17),
    "Cos": ("Cos", {}, 17),
    "Tan": ("Tan", {}, 17),
    "Asin": ("Asin", {}, 17),
    "Acos": ("Acos", {}, 17),
    "Atan": ("Atan", {}, 17),
    "Softsign": ("Softsign", {}, 17),
    "HardSwish": ("HardSwish", {}, 17),
    "Reciprocal": ("Reciprocal", {}, 17),
    # Pow with a constant exponent (the lowering specializes some).
    "PowHalf": ("Pow", {"exponent": 0.5}, 17),
    "Pow2.5": ("Pow", {"exponent": 2.5}, 17),
    "PowMinus3": ("Pow", {"exponent": -3.0}, 17),
    "Pow2": ("Pow", {"exponent": 2.0}, 17),
}


def model(op_type, attrs, opset):
    attrs = dict(attrs)
    inits = []
    inputs = ["x"]
    if op_type == "Pow":
        if "exponent" in attrs:
            inits.append(helper.make_tensor("e", TensorProto.FLOAT, [],
                                            [attrs.pop("exponent")]))
            inputs.append("e")
        else:
            inputs.append("x")
    node = helper.make_node(op_type, inputs, ["y"], name="the_op", **attrs)
    shape = [len(VALUES)]
    graph = helper.make_graph(
        [node], "edges",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
        initializer=inits)
    return helper.make_model(graph, ir_version=9,
                             opset_imports=[helper.make_opsetid("", opset)])


def compare(got, want):
    """Indices where `got` differs from `want` (NaN and inf exact)."""
    bad = []
    for i, (g, w) in enumerate(zip(got, want)):
        if np.isnan(w) or np.isnan(g):
            ok = np.isnan(w) and np.isnan(g)
        elif np.isinf(w) or np.isinf(g):
            ok = g == w
        else:
            ok = abs(float(g) - float(w)) <= 1e-6 + 1e-4 * abs(float(w))
        if not ok:
            bad.append(i)
    return bad


def main():
    parser = tool_parser(__doc__.splitlines()[0])
    parser.add_argument("--op", action="append", help="only this op (repeat)")
    args = parser.parse_args()
    names = args.op or list(OPS)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        x_path = os.path.join(tmp, "x.npy")
        np.save(x_path, VALUES)
        for name in names:
            op_type, attrs, opset = OPS[name]
            m = model(op_type, attrs, opset)
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(m, path)
            want = ort.InferenceSession(
                path, providers=["CPUExecutionProvider"]).run(
                    None, {"x": VALUES})[0]
            artifact = os.path.join(tmp, name + ".aicc")
            y_path = os.path.join(tmp, name + ".y.npy")
            steps = [[args.aicc, path, "--target=" + args.target, "-o",
                      artifact],
                     [args.aicc_run, artifact, "--input", "x=@" + x_path,
                      "--output", "y=@" + y_path]]
            error = None
            for cmd in steps:
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    error = f"{os.path.basename(cmd[0])} rc={r.returncode}: " \
                            f"{r.stderr.strip()}"
                    break
            if error:
                print(f"FAIL {name}: {error}")
                failures += 1
                continue
            got = np.load(y_path)
            bad = compare(got, want)
            if bad:
                failures += 1
                print(f"FAIL {name}:")
                for i in bad:
                    print(f"  x={VALUES[i]!r}: aicc {got[i]!r}, "
                          f"onnxruntime {want[i]!r}")
            else:
                print(f"PASS {name}")
    print(f"{len(names) - failures} of {len(names)} ops match ONNX Runtime "
          f"on {len(EDGES)} edge and {len(ORDINARY)} ordinary values")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
