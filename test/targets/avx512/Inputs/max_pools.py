"""Writes max_pools.onnx, f32 max pools over NCHW images read through a pad
of the same kernel: y, 3x3 stride 2 pads 1 on a batch of 2 with odd rows
and columns (37 x 41) and 20 channels (not a multiple of a tile's 8); z,
3x3 stride 1 with asymmetric pads (left and bottom only); p, ResNet-50's
3x3 stride 2 pads 1 on a 64-channel map (56x56 -> 28x28); a, an average
pool 3x3 stride 2 pads 1 (padding excluded from the count) of the same
input as y. Also x.npy, q.npy and ONNX Runtime's outputs y, z, p, a.npy."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper
from onnx_models import ort_reference, saver, vi

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(8)
x = rng.standard_normal((2, 20, 37, 41)).astype(np.float32)
q = rng.standard_normal((1, 64, 56, 56)).astype(np.float32)
nodes = [
    helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("MaxPool", ["x"], ["z"], kernel_shape=[3, 3],
                     pads=[0, 1, 1, 0]),
    helper.make_node("MaxPool", ["q"], ["p"], kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("AveragePool", ["x"], ["a"], kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1]),
]
save("max_pools", nodes,
     [vi("x", TensorProto.FLOAT, x.shape), vi("q", TensorProto.FLOAT, q.shape)],
     [vi("y", TensorProto.FLOAT, [2, 20, 19, 21]),
      vi("z", TensorProto.FLOAT, [2, 20, 36, 40]),
      vi("p", TensorProto.FLOAT, [1, 64, 28, 28]),
      vi("a", TensorProto.FLOAT, [2, 20, 19, 21])])
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "q.npy"), q)
path = os.path.join(out, "max_pools.onnx")
for name, value in zip("yzpa", ort_reference(path, {"x": x, "q": q})):
    np.save(os.path.join(out, name + ".npy"), value)
