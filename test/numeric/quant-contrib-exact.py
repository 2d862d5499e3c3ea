#!/usr/bin/env python3
"""ONNX Runtime's quantized contrib ops and the dynamic quantization ops
through aicc, against ONNX Runtime, bit for bit.

- QLinearAdd and QLinearMul on every one of the 2^16 pairs of 8-bit inputs
  (u8 and s8) for several scale and zero-point sets, as same-shaped and as
  broadcast operands: aicc reproduces MLAS's arithmetic
  (docs/Quantization.md, "Rounding").
- QLinearSoftmax (u8 and s8, opset 13 with the axis last and not last,
  opset 12 flattened, row lengths 128, 77 and 8, several x_scales), among
  the rows some whose results sit at a rounding tie that only ONNX Runtime's
  exact arithmetic decides (its exp table from logf, its in-order f32 row
  sum).
- DynamicQuantizeLinear (y, y_scale, y_zero_point), MatMulInteger, and the
  com.microsoft DynamicQuantizeMatMul and MatMulIntegerToFloat with a bias
  and per-column scales: float outputs must equal ORT's, not just be close.

usage: quant-contrib-exact.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
"""
import os
import sys
import tempfile

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from aicc_cli import compile_and_run, tool_parser

U8, I8, F = TensorProto.UINT8, TensorProto.INT8, TensorProto.FLOAT
NP = {U8: np.uint8, I8: np.int8}


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def model(name, nodes, inputs, outputs, inits):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    return helper.make_model(graph, ir_version=8, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])


def every_pair(dtype):
    """a and b over all 2^16 combinations of two 8-bit values, as [256, 256]."""
    info = np.iinfo(dtype)
    v = np.arange(info.min, info.max + 1).astype(dtype)
    return np.repeat(v[:, None], 256, 1), np.repeat(v[None, :], 256, 0)


SCALE_SETS = (  # (a_scale, a_zp, b_scale, b_zp, c_scale, c_zp), zero points from the type's min
    (0.0233, 128, 0.0417, 120, 0.0511, 125),
    (0.1, 3, 0.07, 200, 0.13, 90),
    (0.0061, 130, 0.019, 0, 0.0212, 0),
    (0.5, 127, 0.25, 127, 0.75, 128),
)


def qlinear_binaries(name, t):
    """One model of type `t` (u8 or s8) holding QLinearAdd and QLinearMul for
    every scale set, on every pair of 8-bit values: a and b of [256, 256]
    (same-shaped operands) and, for the first set, a of [256, 1] with b of
    [1, 256] (broadcast to the output's [256, 256])."""
    dt = NP[t]
    lo = int(np.iinfo(dt).min)
    a, b = every_pair(dt)
    feeds = {"a": a, "b": b, "ac": a[:, :1].copy(), "br": b[:1, :].copy()}
    nodes, inits, outputs = [], [], []
    cases = [(i, "a", "b") for i in range(len(SCALE_SETS))] + [(0, "ac", "br")]
    for op in ("QLinearAdd", "QLinearMul"):
        for i, x, y in cases:
            sa, za, sb, zb, sc, zc = SCALE_SETS[i]
            if op == "QLinearMul":
                sc *= 3
            tag = f"{op[7:].lower()}{i}{'_broadcast' if x == 'ac' else ''}"
            inits += [init(f"sa_{tag}", np.float32(sa)), init(f"za_{tag}", dt(lo + za)),
                      init(f"sb_{tag}", np.float32(sb)), init(f"zb_{tag}", dt(lo + zb)),
                      init(f"sc_{tag}", np.float32(sc)), init(f"zc_{tag}", dt(lo + zc))]
            nodes.append(helper.make_node(
                op, [x, f"sa_{tag}", f"za_{tag}", y, f"sb_{tag}", f"zb_{tag}",
                     f"sc_{tag}", f"zc_{tag}"], [tag], domain="com.microsoft"))
            outputs.append(helper.make_tensor_value_info(tag, t, [256, 256]))
    inputs = [helper.make_tensor_value_info(k, t, v.shape) for k, v in feeds.items()]
    return name, model(name, nodes, inputs, outputs, inits), feeds


def qlinear_softmax(name, t, x, x_scale, y_scale=1 / 256, axis=-1, opset=13):
    dt = NP[t]
    y_zp = -128 if t == I8 else 0
    inits = [init("xs", np.float32(x_scale)), init("xz", dt(0)),
             init("ys", np.float32(y_scale)), init("yz", dt(y_zp))]
    node = helper.make_node("QLinearSoftmax", ["x", "xs", "xz", "ys", "yz"], ["y"],
                            domain="com.microsoft", axis=axis, opset=opset)
    return name, model(name, [node], [helper.make_tensor_value_info("x", t, x.shape)],
                       [helper.make_tensor_value_info("y", t, x.shape)], inits), {"x": x}


def tie_rows():
    """Rows of 128 u8 values (x_scale 0.05) whose softmax has an element at
    a rounding tie, found among 200000 random rows of two generators: the
    first six flip when the exp table is built from log instead of ONNX
    Runtime's logf, the others when the row is summed in vector lanes
    instead of in order."""
    rows = []
    for seed, picks in ((2, [13302, 49215, 99506, 171718, 172647, 184988]),
                        (3, [2006, 8572, 27909, 77172, 106646, 107441, 109414,
                             128155, 150197, 160563, 174978])):
        x = np.random.default_rng(seed).integers(150, 256, (200000, 128))
        x[:, 0] = 255
        rows.append(x[picks].astype(np.uint8))
    return np.concatenate(rows)


def dynamic_quantize_linear(rng, name, shape, lo, hi):
    x = rng.uniform(lo, hi, shape).astype(np.float32)
    node = helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "ys", "yz"])
    return name, model(name, [node], [helper.make_tensor_value_info("x", F, shape)],
                       [helper.make_tensor_value_info("y", U8, shape),
                        helper.make_tensor_value_info("ys", F, []),
                        helper.make_tensor_value_info("yz", U8, [])], []), {"x": x}


def dynamic_matmul(rng, name, op, m, k, n, per_column, bias):
    """DynamicQuantizeMatMul (float A) or MatMulIntegerToFloat (u8 A), s8 B."""
    b = rng.integers(-127, 128, (k, n)).astype(np.int8)
    b_scale = (rng.uniform(0.002, 0.01, n) if per_column else np.array(0.004)).astype(np.float32)
    inits = [init("b", b), init("bs", b_scale), init("bz", np.zeros(b_scale.shape, np.int8))]
    if bias:
        inits.append(init("bias", rng.standard_normal(n).astype(np.float32)))
    if op == "DynamicQuantizeMatMul":
        a = rng.standard_normal((m, k)).astype(np.float32)
        ins = ["a", "b", "bs", "bz"] + (["bias"] if bias else [])
        a_type = F
    else:
        a = rng.integers(0, 256, (m, k)).astype(np.uint8)
        inits += [init("as", np.float32(0.037)), init("az", np.uint8(121))]
        ins = ["a", "b", "as", "bs", "az", "bz"] + (["bias"] if bias else [])
        a_type = U8
    node = helper.make_node(op, ins, ["y"], domain="com.microsoft")
    return name, model(name, [node], [helper.make_tensor_value_info("a", a_type, a.shape)],
                       [helper.make_tensor_value_info("y", F, [m, n])], inits), {"a": a}


def dynamic_chain(rng, name, m, k, n):
    """What quantize_dynamic writes for MatMul + Add (bias): DynamicQuantizeLinear
    -> MatMulInteger -> Cast -> Mul(a_scale * b_scale) -> Add."""
    b = rng.integers(-127, 128, (k, n)).astype(np.int8)
    inits = [init("b", b), init("bs", rng.uniform(0.002, 0.01, n).astype(np.float32)),
             init("bz", np.zeros(n, np.int8)),
             init("bias", rng.standard_normal(n).astype(np.float32))]
    N = helper.make_node
    nodes = [N("DynamicQuantizeLinear", ["a"], ["aq", "as", "az"]),
             N("MatMulInteger", ["aq", "b", "az", "bz"], ["acc"]),
             N("Cast", ["acc"], ["accf"], to=F),
             N("Mul", ["as", "bs"], ["scale"]),
             N("Mul", ["accf", "scale"], ["yf"]),
             N("Add", ["yf", "bias"], ["y"])]
    a = (rng.standard_normal((m, k)) * 3).astype(np.float32)
    return name, model(name, nodes, [helper.make_tensor_value_info("a", F, a.shape)],
                       [helper.make_tensor_value_info("y", F, [m, n])], inits), {"a": a}


def cases(rng):
    yield qlinear_binaries("qlinear_add_mul_u8", U8)
    yield qlinear_binaries("qlinear_add_mul_s8", I8)
    ties = tie_rows()
    yield qlinear_softmax("softmax_u8_ties", U8, ties, 0.05)
    for xs in (0.013, 0.05, 0.11, 0.3):
        x = rng.integers(0, 256, (64, 128)).astype(np.uint8)
        yield qlinear_softmax(f"softmax_u8_xs{xs}", U8, x, xs)
    yield qlinear_softmax("softmax_u8_d77", U8,
                          rng.integers(100, 256, (3, 40, 77)).astype(np.uint8), 0.07)
    yield qlinear_softmax("softmax_s8", I8,
                          rng.integers(-128, 128, (2, 32, 128)).astype(np.int8), 0.06)
    yield qlinear_softmax("softmax_u8_axis1", U8,
                          rng.integers(0, 256, (2, 8, 6, 5)).astype(np.uint8), 0.09, axis=1)
    yield qlinear_softmax("softmax_u8_opset12", U8,
                          rng.integers(0, 256, (4, 4, 8)).astype(np.uint8), 0.08,
                          axis=1, opset=12)
    yield dynamic_quantize_linear(rng, "dql_mixed", (4, 33, 50), -2.5, 7.0)
    yield dynamic_quantize_linear(rng, "dql_positive", (1000,), 0.5, 3.0)
    yield dynamic_quantize_linear(rng, "dql_negative", (7, 9), -4.0, -0.1)
    yield dynamic_matmul(rng, "dqmatmul_bias_per_column", "DynamicQuantizeMatMul",
                         24, 96, 40, True, True)
    yield dynamic_matmul(rng, "dqmatmul_per_tensor", "DynamicQuantizeMatMul",
                         5, 64, 33, False, False)
    yield dynamic_matmul(rng, "matmulintegertofloat_bias", "MatMulIntegerToFloat",
                         16, 80, 48, True, True)
    yield dynamic_chain(rng, "dynamic_chain", 32, 64, 48)


def main():
    ap = tool_parser(__doc__.split("\n")[0])
    ap.add_argument("--only", default="", help="run the cases whose name contains this")
    args = ap.parse_args()
    rng = np.random.default_rng(9)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="aicc-quant-contrib-") as work:
        for name, m, feeds in cases(rng):
            if args.only not in name:
                continue
            path = os.path.join(work, name + ".onnx")
            with open(path, "wb") as f:
                f.write(m.SerializeToString())
            sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            names = [o.name for o in sess.get_outputs()]
            expected = sess.run(None, feeds)
            got, err = compile_and_run(args.aicc, args.aicc_run, args.target, path,
                                       feeds, names, work, name)
            if err:
                print(f"FAIL {name}: {err}")
                failures += 1
                continue
            bad = []
            for o, want in zip(names, expected):
                y = got[o]
                if y.shape != want.shape or y.dtype != want.dtype:
                    bad.append(f"{o}: {y.dtype}{y.shape} != {want.dtype}{want.shape}")
                    continue
                differ = y != want
                if differ.any():
                    diff = np.abs(y.astype(np.float64) - want.astype(np.float64))
                    bad.append(f"{o}: {np.count_nonzero(differ)} of {y.size} differ, "
                               f"max {diff.max():.3g}")
            if bad:
                print(f"FAIL {name}: " + "; ".join(bad))
                failures += 1
            else:
                print(f"PASS {name}: {sum(e.size for e in expected)} elements equal")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
