#!/usr/bin/env python3
"""A QuantizeLinear (u8 and s8 outputs) of values that exercise
roundeven's ties and inputs far outside the quantized range (|x / scale|
past 2^22, around 1.5*2^23, infinities), and the NumPy reference:
saturate(rint(x / scale) + zero_point). The scales are powers of two, so x / scale is exact.

    requantize_round.py OUT_DIR  (writes rq.onnx, x.npy, u.npy, s.npy)
"""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
scale_u, zp_u, scale_s, zp_s = 0.125, 3, 2.0 ** -20, -5
ties = np.arange(-40, 40, dtype=np.float32) * 0.5
big = np.array([2.0 ** 22, 2.0 ** 22 + 1, 2.0 ** 23 - 0.5, 2.0 ** 23 + 1.0,
                2.0 ** 24, 3.0e9, 1.0e30, np.inf, 2.0 ** 22 - 0.5,
                1.5 * 2.0 ** 23 - 1, 1.5 * 2.0 ** 23, 1.5 * 2.0 ** 23 + 1],
               dtype=np.float32)
x = np.concatenate([ties * np.float32(scale_u), ties * np.float32(scale_s),
                    big, -big, big * np.float32(scale_u), -big * np.float32(scale_u),
                    big * np.float32(scale_s), -big * np.float32(scale_s)])
rng = np.random.default_rng(0)
x = np.concatenate([x, rng.standard_normal(1024 - x.size).astype(np.float32) * 40])
x = x.astype(np.float32).reshape(1, 1024)
with np.errstate(over="ignore", invalid="ignore"):
    u = np.clip(np.rint(x / np.float32(scale_u)) + zp_u, 0, 255).astype(np.uint8)
    s = np.clip(np.rint(x / np.float32(scale_s)) + zp_s, -128, 127).astype(np.int8)
inits = [numpy_helper.from_array(np.array(scale_u, np.float32), "su"),
         numpy_helper.from_array(np.array(zp_u, np.uint8), "zu"),
         numpy_helper.from_array(np.array(scale_s, np.float32), "ss"),
         numpy_helper.from_array(np.array(zp_s, np.int8), "zs")]
nodes = [helper.make_node("QuantizeLinear", ["x", "su", "zu"], ["u"], name="q_u8"),
         helper.make_node("QuantizeLinear", ["x", "ss", "zs"], ["s"], name="q_s8")]
graph = helper.make_graph(
    nodes, "requantize_round",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1024])],
    [helper.make_tensor_value_info("u", TensorProto.UINT8, [1, 1024]),
     helper.make_tensor_value_info("s", TensorProto.INT8, [1, 1024])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
with open(os.path.join(out, "rq.onnx"), "wb") as f:
    f.write(model.SerializeToString())
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "u.npy"), u)
np.save(os.path.join(out, "s.npy"), s)
