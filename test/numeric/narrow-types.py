#!/usr/bin/env python3
"""float8/float4/int4/int2 conversions through aicc, against ONNX's reference.

One model casts every bit pattern of each float8/float4 type (256, or 16 for
float4) and every value of int4/uint4/int2/uint2 to float32, and a sweep of
float32 values (every representable value, the midpoints between neighbours
(ties), one float32 ulp either side of them, subnormals, values past the
largest finite one, +-inf, NaN, +-0, f32 denormals) to each type with
saturate on and off (float8E8M0: each round_mode). aicc's results must equal
onnx.reference's bit for bit (any NaN equals any NaN: the types' NaN
payloads are not specified). The bytes travel as docs/Artifact.md says:
float8/float4 bit patterns in uint8, int4/int2 values in int8/uint8.

usage: narrow-types.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
"""
import os
import subprocess
import sys
import tempfile

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

from aicc_cli import tool_parser

FLOATS = {
    "FLOAT8E4M3FN": (TensorProto.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn, 256),
    "FLOAT8E4M3FNUZ": (TensorProto.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz, 256),
    "FLOAT8E5M2": (TensorProto.FLOAT8E5M2, ml_dtypes.float8_e5m2, 256),
    "FLOAT8E5M2FNUZ": (TensorProto.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz, 256),
    "FLOAT8E8M0": (TensorProto.FLOAT8E8M0, ml_dtypes.float8_e8m0fnu, 256),
    "FLOAT4E2M1": (TensorProto.FLOAT4E2M1, ml_dtypes.float4_e2m1fn, 16),
}
INTS = {
    "INT4": (TensorProto.INT4, ml_dtypes.int4, np.int8, -8, 7),
    "UINT4": (TensorProto.UINT4, ml_dtypes.uint4, np.uint8, 0, 15),
    "INT2": (TensorProto.INT2, ml_dtypes.int2, np.int8, -2, 1),
    "UINT2": (TensorProto.UINT2, ml_dtypes.uint2, np.uint8, 0, 3),
}


def sweep():
    """float32 values probing every rounding decision of the types."""
    values = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-39,
              3.4e38, -3.4e38, 1e-30, -1e-30, 2.0 ** -127, 2.0 ** -126]
    for _, (_, dtype, count) in FLOATS.items():
        bits = np.arange(count, dtype=np.uint8)
        reps = bits.view(dtype).astype(np.float32)
        reps = np.unique(reps[np.isfinite(reps)])
        mids = (reps[:-1].astype(np.float64) + reps[1:]) / 2
        mids = mids.astype(np.float32)
        big = reps.max()
        values += list(reps) + list(mids)
        values += list(np.nextafter(mids, np.float32(np.inf)))
        values += list(np.nextafter(mids, np.float32(-np.inf)))
        values += [big * 1.0625, big * 1.125, big * 1.5, big * 4, reps[reps > 0].min() / 2,
                   reps[reps > 0].min() / 3]
    for e in range(-140, 128):
        values += [2.0 ** e, 1.5 * 2.0 ** e, 1.75 * 2.0 ** e, 1.25 * 2.0 ** e]
    with np.errstate(over="ignore"):
        v = np.array(values, dtype=np.float32)
    return np.unique(np.concatenate([v, -v]))


def int_sweep():
    return np.array([-20, -17, -16, -9, -8.9, -8.5, -8, -7.5, -3, -2.5, -2, -1.5, -1, -0.5,
                     -0.0, 0, 0.5, 0.7, 1, 1.5, 2, 2.5, 3, 3.9, 7, 7.5, 8, 9, 15, 15.9,
                     16, 17, 31, 100, 255, 256, -100, 1000], dtype=np.float32)


def build_model(sweep_len, int_len):
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [sweep_len]),
              helper.make_tensor_value_info("xi", TensorProto.FLOAT, [int_len])]
    outputs, nodes = [], []
    for name, (code, _, count) in FLOATS.items():
        inputs.append(helper.make_tensor_value_info(f"b_{name}", code, [count]))
        nodes.append(helper.make_node("Cast", [f"b_{name}"], [f"dec_{name}"],
                                      to=TensorProto.FLOAT))
        outputs.append(helper.make_tensor_value_info(f"dec_{name}", TensorProto.FLOAT,
                                                     [count]))
        variants = ([("up", 1), ("up", 0), ("down", 1), ("nearest", 1), ("nearest", 0)]
                    if name == "FLOAT8E8M0" else [(None, 1), (None, 0)])
        for mode, sat in variants:
            out = f"enc_{name}_{mode}_{sat}"
            attrs = {"to": code, "saturate": sat}
            if mode:
                attrs["round_mode"] = mode
            nodes.append(helper.make_node("Cast", ["x"], [out], **attrs))
            outputs.append(helper.make_tensor_value_info(out, code, [sweep_len]))
    for name, (code, _, _, lo, hi) in INTS.items():
        count = hi - lo + 1
        inputs.append(helper.make_tensor_value_info(f"b_{name}", code, [count]))
        nodes.append(helper.make_node("Cast", [f"b_{name}"], [f"dec_{name}"],
                                      to=TensorProto.FLOAT))
        outputs.append(helper.make_tensor_value_info(f"dec_{name}", TensorProto.FLOAT,
                                                     [count]))
        nodes.append(helper.make_node("Cast", ["xi"], [f"enc_{name}"], to=code))
        outputs.append(helper.make_tensor_value_info(f"enc_{name}", code, [int_len]))
    graph = helper.make_graph(nodes, "narrow_types", inputs, outputs)
    return helper.make_model(graph, ir_version=11,
                             opset_imports=[helper.make_opsetid("", 25)])


def to_bytes(array):
    """The one-byte form aicc-run reads and writes."""
    name = array.dtype.name
    if name in ("int4", "int2"):
        return array.astype(np.int8)
    if name in ("uint4", "uint2"):
        return array.astype(np.uint8)
    if array.dtype.itemsize == 1 and array.dtype.kind not in "biu":
        return array.view(np.uint8)
    return array


def same(actual, expected):
    """Bit-exact equality, any NaN equal to any NaN; the first difference."""
    if expected.dtype.name in ("int4", "int2", "uint4", "uint2"):
        expected = to_bytes(expected)
        bad = actual != expected
    elif expected.dtype == np.float32:
        a, e = actual.view(np.uint32), expected.view(np.uint32)
        bad = (a != e) & ~(np.isnan(actual) & np.isnan(expected))
    else:
        a = actual.view(expected.dtype).astype(np.float32)
        e = expected.astype(np.float32)
        bad = (actual != expected.view(np.uint8)) & ~(np.isnan(a) & np.isnan(e))
    if not bad.any():
        return None
    i = int(np.argmax(bad))
    return i, int(bad.sum())


def main():
    ap = tool_parser()
    args = ap.parse_args()

    x = sweep()
    xi = int_sweep()
    model = build_model(len(x), len(xi))
    feeds = {"x": x, "xi": xi}
    for name, (_, dtype, count) in FLOATS.items():
        feeds[f"b_{name}"] = np.arange(count, dtype=np.uint8).view(dtype)
    for name, (_, dtype, _, lo, hi) in INTS.items():
        feeds[f"b_{name}"] = np.arange(lo, hi + 1).astype(dtype)
    names = [o.name for o in model.graph.output]
    expected = dict(zip(names, ReferenceEvaluator(model).run(None, feeds)))

    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.onnx")
        onnx.save(model, path)
        art = os.path.join(tmp, "m.aicc")
        r = subprocess.run([args.aicc, path, f"--target={args.target}", "-o", art],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
            print("FAIL: aicc failed", file=sys.stderr)
            return 1
        cmd = [args.aicc_run, art]
        for k, v in feeds.items():
            p = os.path.join(tmp, f"in_{k}.npy")
            np.save(p, to_bytes(v))
            cmd += ["--input", f"{k}=@{p}"]
        for k in names:
            cmd += ["--output", f"{k}=@{os.path.join(tmp, 'out_' + k + '.npy')}"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
            print("FAIL: aicc-run failed", file=sys.stderr)
            return 1
        for k in names:
            actual = np.load(os.path.join(tmp, f"out_{k}.npy"))
            e = expected[k]
            diff = same(actual, e)
            src = feeds["xi" if k.startswith("enc_") and k[4:] in INTS else "x"]
            if k.startswith("dec_"):
                src = feeds["b_" + k[4:]]
            if diff:
                i, n = diff
                failures += 1
                print(f"FAIL {k}: {n} of {e.size} differ; first at {i}: input "
                      f"{to_bytes(src)[i]!r} ({src[i]!r}) gave {actual[i]!r}, expected "
                      f"{to_bytes(e)[i]!r} ({e[i]!r})")
            else:
                print(f"ok   {k}: {e.size} values")
    print(f"{len(names) - failures} of {len(names)} conversions match the reference")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
