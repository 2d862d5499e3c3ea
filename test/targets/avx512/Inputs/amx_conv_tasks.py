#!/usr/bin/env python3
"""A QLinearConv 1x1 of 64 -> 64 channels on a 14x14 image (u8 activations,
s8 weights), the shape of which a 64-channel block of ResNet-50's 14x14
layers is made: one block of 64 channels x 14 rows would be a single task.

    amx_conv_tasks.py OUT_DIR  (writes conv.onnx)
"""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)
w = rng.integers(-127, 128, size=(64, 64, 1, 1), dtype=np.int8)
inits = [numpy_helper.from_array(np.array(0.02, np.float32), "xs"),
         numpy_helper.from_array(np.array(128, np.uint8), "xz"),
         numpy_helper.from_array(w, "w"),
         numpy_helper.from_array(np.array(0.01, np.float32), "ws"),
         numpy_helper.from_array(np.array(0, np.int8), "wz"),
         numpy_helper.from_array(np.array(0.5, np.float32), "ys"),
         numpy_helper.from_array(np.array(128, np.uint8), "yz")]
node = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"],
                        ["y"], name="conv")
graph = helper.make_graph(
    [node], "amx_conv_tasks",
    [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, 64, 14, 14])],
    [helper.make_tensor_value_info("y", TensorProto.UINT8, [1, 64, 14, 14])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
with open(os.path.join(sys.argv[1], "conv.onnx"), "wb") as f:
    f.write(model.SerializeToString())
