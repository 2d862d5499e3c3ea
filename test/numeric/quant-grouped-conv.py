#!/usr/bin/env python3
"""Depthwise and grouped int8 convolutions through aicc, against ONNX Runtime.

QLinearConv (u8 or s8 activations, s8 weights, per-tensor and per-channel
weight scales, int32 bias, strides, dilations, asymmetric pads, a
depthwise multiplier of 2 and groups of several channels), ConvInteger
(depthwise and grouped) and the QDQ form (DequantizeLinear -> Conv ->
QuantizeLinear, which aicc fuses into QLinearConv) of a depthwise conv.
These take the narrow integer lowering (8-bit operands widened inside the
multiply-add, the zero points folded into a per-channel constant;
docs/Quantization.md). Outputs must equal ONNX Runtime's integers exactly.

usage: quant-grouped-conv.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
"""
import os
import sys
import tempfile

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from aicc_cli import compile_and_run, tool_parser

U8, I8, I32, F = TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32, TensorProto.FLOAT


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def model(name, nodes, inputs, outputs, inits, opset=19):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    return helper.make_model(graph, ir_version=9,
                             opset_imports=[helper.make_opsetid("", opset)])


def conv_weights(rng, c, f, group, k):
    w = rng.integers(-127, 128, (f, c // group, k[0], k[1])).astype(np.int8)
    return w


def qlinear_conv(rng, name, x_type, n, c, hw, f, group, k, per_channel,
                 bias=True, **attrs):
    """QLinearConv with constant weights and zero points."""
    xdt = np.uint8 if x_type == U8 else np.int8
    x_zp = np.array(131 if x_type == U8 else -5, xdt)
    w = conv_weights(rng, c, f, group, k)
    w_scale = (rng.uniform(0.002, 0.01, f) if per_channel
               else np.array(0.004)).astype(np.float32)
    y_scale = np.array(0.02 * np.sqrt(c // group * k[0] * k[1]), np.float32)
    inits = [init("x_scale", np.array(0.05, np.float32)), init("x_zp", x_zp),
             init("w", w), init("w_scale", w_scale),
             init("w_zp", np.zeros(w_scale.shape, np.int8)),
             init("y_scale", y_scale),
             init("y_zp", np.array(120 if x_type == U8 else 3, xdt))]
    ins = ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp"]
    if bias:
        inits.append(init("b", rng.integers(-3000, 3000, f).astype(np.int32)))
        ins.append("b")
    node = helper.make_node("QLinearConv", ins, ["y"], group=group,
                            kernel_shape=list(k), **attrs)
    x = rng.integers(np.iinfo(xdt).min, np.iinfo(xdt).max + 1,
                     (n, c) + hw).astype(xdt)
    return name, model(name, [node], [helper.make_tensor_value_info("x", x_type, x.shape)],
                       [helper.make_tensor_value_info("y", x_type, None)], inits), {"x": x}


def conv_integer(rng, name, n, c, hw, f, group, k, **attrs):
    w = conv_weights(rng, c, f, group, k)
    inits = [init("w", w), init("x_zp", np.array(17, np.uint8))]
    node = helper.make_node("ConvInteger", ["x", "w", "x_zp"], ["y"], group=group,
                            kernel_shape=list(k), **attrs)
    x = rng.integers(0, 256, (n, c) + hw).astype(np.uint8)
    return name, model(name, [node], [helper.make_tensor_value_info("x", U8, x.shape)],
                       [helper.make_tensor_value_info("y", I32, None)], inits), {"x": x}


def qdq_depthwise(rng, name, c, hw, per_channel):
    """DequantizeLinear -> Conv(group = C) -> QuantizeLinear, as quantize_static
    writes it (u8 activations, s8 weights, int32 bias)."""
    w = conv_weights(rng, c, c, c, (3, 3))
    w_scale = (rng.uniform(0.002, 0.01, c) if per_channel
               else np.array(0.004)).astype(np.float32)
    x_scale = np.float32(0.05)
    inits = [init("x_scale", np.array(x_scale)), init("x_zp", np.array(128, np.uint8)),
             init("w", w), init("w_scale", w_scale),
             init("w_zp", np.zeros(w_scale.shape, np.int8)),
             init("b", rng.integers(-3000, 3000, c).astype(np.int32)),
             init("b_scale", (x_scale * w_scale).astype(np.float32)),
             init("b_zp", np.zeros(w_scale.shape, np.int32)),
             init("y_scale", np.array(0.06, np.float32)),
             init("y_zp", np.array(100, np.uint8))]
    N = helper.make_node
    axis = {"axis": 0} if per_channel else {}
    nodes = [N("DequantizeLinear", ["x", "x_scale", "x_zp"], ["xf"]),
             N("DequantizeLinear", ["w", "w_scale", "w_zp"], ["wf"], **axis),
             N("DequantizeLinear", ["b", "b_scale", "b_zp"], ["bf"], **axis),
             N("Conv", ["xf", "wf", "bf"], ["yf"], group=c, kernel_shape=[3, 3],
               pads=[1, 1, 1, 1], name="dw"),
             N("QuantizeLinear", ["yf", "y_scale", "y_zp"], ["y"])]
    x = rng.integers(0, 256, (1, c) + hw).astype(np.uint8)
    return name, model(name, nodes, [helper.make_tensor_value_info("x", U8, x.shape)],
                       [helper.make_tensor_value_info("y", U8, None)], inits), {"x": x}


def cases(rng):
    yield qlinear_conv(rng, "dw_u8_per_tensor", U8, 1, 16, (10, 12), 16, 16, (3, 3),
                       False, pads=[1, 1, 1, 1])
    yield qlinear_conv(rng, "dw_u8_per_channel_stride2", U8, 2, 24, (15, 17), 24, 24,
                       (3, 3), True, pads=[0, 1, 2, 1], strides=[2, 2])
    # Stride 2 on even inputs with pads 1 (MobileNetV2's): the last padded
    # row and column are never read, and the pad is not added at all.
    yield qlinear_conv(rng, "dw_u8_stride2_even", U8, 1, 16, (14, 16), 16, 16,
                       (3, 3), True, pads=[1, 1, 1, 1], strides=[2, 2])
    yield qlinear_conv(rng, "conv_u8_stride2_even", U8, 1, 6, (10, 12), 8, 1,
                       (3, 3), True, pads=[1, 1, 1, 1], strides=[2, 2])
    yield qlinear_conv(rng, "dw_s8_per_channel_dilated", I8, 1, 8, (9, 20), 8, 8,
                       (3, 5), True, pads=[2, 2, 2, 2], dilations=[2, 1])
    yield qlinear_conv(rng, "dw_u8_wide_no_bias", U8, 1, 32, (7, 40), 32, 32, (5, 5),
                       True, bias=False, pads=[2, 2, 2, 2])
    yield qlinear_conv(rng, "dw_multiplier2", U8, 1, 6, (8, 8), 12, 6, (3, 3), True,
                       pads=[1, 1, 1, 1])
    yield qlinear_conv(rng, "grouped_4x3", U8, 1, 12, (9, 9), 8, 4, (3, 3), True,
                       pads=[1, 1, 1, 1], strides=[1, 2])
    yield qlinear_conv(rng, "grouped_2x8_1x1", U8, 2, 16, (6, 5), 32, 2, (1, 1), False)
    yield conv_integer(rng, "convinteger_dw", 1, 8, (6, 7), 8, 8, (3, 3),
                       pads=[1, 1, 1, 1])
    yield conv_integer(rng, "convinteger_grouped", 1, 8, (6, 7), 4, 2, (2, 2),
                       strides=[2, 1])
    yield qdq_depthwise(rng, "qdq_dw_per_tensor", 16, (14, 14), False)
    yield qdq_depthwise(rng, "qdq_dw_per_channel", 32, (28, 28), True)


def main():
    ap = tool_parser(__doc__.split("\n")[0])
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="aicc-quant-grouped-") as work:
        for name, m, feeds in cases(rng):
            path = os.path.join(work, name + ".onnx")
            with open(path, "wb") as f:
                f.write(m.SerializeToString())
            sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            expected = sess.run(None, feeds)[0]
            got, err = compile_and_run(args.aicc, args.aicc_run, args.target, path,
                                       feeds, ["y"], work, name)
            if err:
                print(f"FAIL {name}: {err}")
                failures += 1
                continue
            y = got["y"]
            if y.shape != expected.shape or y.dtype != expected.dtype:
                print(f"FAIL {name}: {y.dtype}{y.shape} != {expected.dtype}{expected.shape}")
                failures += 1
                continue
            diff = np.abs(y.astype(np.int64) - expected.astype(np.int64))
            if diff.max() != 0:
                print(f"FAIL {name}: {np.count_nonzero(diff)} of {diff.size} differ, "
                      f"max {diff.max()}")
                failures += 1
            else:
                print(f"PASS {name}: {diff.size} elements equal")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
