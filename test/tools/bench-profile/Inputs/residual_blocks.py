"""Usage: residual_blocks.py OUT. Writes OUT/blocks.onnx: two identical
ResNet-style residual steps (a 1x1 conv 16 -> 16 with bias, the residual
Add and ReLU, on 16x16), then a 3x3 conv with padding 1 and ReLU, and a
random input OUT/x.npy."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "targets", "avx512", "Inputs"))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
rng = np.random.default_rng(0)
C, H, W = 16, 16, 16
nodes, inits, last = [], [], "x"
for i in range(2):
    inits += [numpy_helper.from_array(
                  (rng.standard_normal((C, C, 1, 1)) / 4).astype(np.float32), f"w{i}"),
              numpy_helper.from_array(rng.standard_normal(C).astype(np.float32), f"b{i}")]
    nodes += [helper.make_node("Conv", [last, f"w{i}", f"b{i}"], [f"c{i}"],
                               kernel_shape=[1, 1], name=f"block{i}_conv"),
              helper.make_node("Add", [f"c{i}", last], [f"s{i}"], name=f"block{i}_add"),
              helper.make_node("Relu", [f"s{i}"], [f"r{i}"], name=f"block{i}_relu")]
    last = f"r{i}"
inits += [numpy_helper.from_array(
              (rng.standard_normal((C, C, 3, 3)) / 12).astype(np.float32), "w3"),
          numpy_helper.from_array(rng.standard_normal(C).astype(np.float32), "b3")]
nodes += [helper.make_node("Conv", [last, "w3", "b3"], ["c3"], kernel_shape=[3, 3],
                           pads=[1, 1, 1, 1], name="tail_conv"),
          helper.make_node("Relu", ["c3"], ["y"], name="tail_relu")]
saver(out)("blocks", nodes, [vi("x", TensorProto.FLOAT, [1, C, H, W])],
           [vi("y", TensorProto.FLOAT, [1, C, H, W])], inits)
np.save(os.path.join(out, "x.npy"), rng.standard_normal((1, C, H, W)).astype(np.float32))
