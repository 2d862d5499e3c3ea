"""Writes max_pools.onnx, f32 max pools over NCHW images read through a pad
of the same kernel: y, 3x3 stride 2 pads 1 on a batch of 2 with odd rows and
columns (37 x 41) and 11 channels (not a multiple of a tile's 8; 22 planes
in 8 tasks of 3, the last guarded); z, 3x3 stride 1 with asymmetric pads
(left and bottom only); p, ResNet-50's 3x3 stride 2 pads 1 on a 64-channel
map (56x56 -> 28x28); a, an average pool 3x3 stride 2 pads 1 (padding
excluded from the count) of the same input as y; d, 3x3 with dilations 2 and
pads 2; e, 3x3 stride 2 with ceil_mode (the last window past the image) and
no pads; r, a 5x5 stride 1 pads 2 max pool followed by a ReLU; t, the ResNet
max pool of an input with NaNs (u). Also x.npy, q.npy, u.npy, ONNX Runtime's
outputs y, z, p, a, d, e, r.npy and NumPy's (NaN-propagating) t.npy."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper
from onnx_models import ort_reference, saver, vi

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(8)
x = rng.standard_normal((2, 11, 37, 41)).astype(np.float32)
q = rng.standard_normal((1, 64, 56, 56)).astype(np.float32)
u = rng.standard_normal((1, 3, 40, 40)).astype(np.float32)
u[0, 0, 5, 7] = u[0, 1, 0, 0] = u[0, 2, 39, 39] = u[0, 2, 20, 0] = np.nan
u[0, 1, 10, 10] = np.inf
u[0, 0, 30, 31] = -np.inf
nodes = [
    helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("MaxPool", ["x"], ["z"], kernel_shape=[3, 3],
                     pads=[0, 1, 1, 0]),
    helper.make_node("MaxPool", ["q"], ["p"], kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("AveragePool", ["x"], ["a"], kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("MaxPool", ["x"], ["d"], kernel_shape=[3, 3],
                     dilations=[2, 2], pads=[2, 2, 2, 2]),
    helper.make_node("MaxPool", ["x"], ["e"], kernel_shape=[3, 3],
                     strides=[2, 2], ceil_mode=1),
    helper.make_node("MaxPool", ["q"], ["m"], kernel_shape=[5, 5],
                     pads=[2, 2, 2, 2]),
    helper.make_node("Relu", ["m"], ["r"]),
    helper.make_node("MaxPool", ["u"], ["t"], kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1]),
]
save("max_pools", nodes,
     [vi("x", TensorProto.FLOAT, x.shape), vi("q", TensorProto.FLOAT, q.shape),
      vi("u", TensorProto.FLOAT, u.shape)],
     [vi("y", TensorProto.FLOAT, [2, 11, 19, 21]),
      vi("z", TensorProto.FLOAT, [2, 11, 36, 40]),
      vi("p", TensorProto.FLOAT, [1, 64, 28, 28]),
      vi("a", TensorProto.FLOAT, [2, 11, 19, 21]),
      vi("d", TensorProto.FLOAT, [2, 11, 37, 41]),
      vi("e", TensorProto.FLOAT, [2, 11, 18, 20]),
      vi("r", TensorProto.FLOAT, [1, 64, 56, 56]),
      vi("t", TensorProto.FLOAT, [1, 3, 20, 20])])
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "q.npy"), q)
np.save(os.path.join(out, "u.npy"), u)
path = os.path.join(out, "max_pools.onnx")
for name, value in zip("yzpadert",
                       ort_reference(path, {"x": x, "q": q, "u": u})):
    np.save(os.path.join(out, name + ".npy"), value)
# NumPy's 3x3 stride-2 max pool of u: NaN wherever a window holds one.
padded = np.pad(u, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
windows = [padded[:, :, i:i + 39:2, j:j + 39:2]
           for i in range(3) for j in range(3)]
np.save(os.path.join(out, "t.npy"), np.max(np.stack(windows), axis=0))
