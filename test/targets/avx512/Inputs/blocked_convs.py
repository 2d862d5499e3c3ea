"""Writes blocked_convs.onnx (a 3x3 conv 32 -> 256, pads 1, with bias and
ReLU, then a 1x1 conv 256 -> 32 with bias, on a 24x24 map) and
blocked_panels.onnx (a 3x3 conv 32 -> 464 on a 7x7 map), random inputs
and the outputs computed with NumPy."""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(8)
C, M, F, H = 32, 256, 32, 24
x = rng.standard_normal((1, C, H, H)).astype(np.float32)
w3 = (rng.standard_normal((M, C, 3, 3)) / np.sqrt(9 * C)).astype(np.float32)
b3 = (0.1 * rng.standard_normal(M)).astype(np.float32)
w1 = (rng.standard_normal((F, M, 1, 1)) / np.sqrt(M)).astype(np.float32)
b1 = (0.1 * rng.standard_normal(F)).astype(np.float32)
nodes = [
    helper.make_node("Conv", ["x", "w3", "b3"], ["c"], kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c"], ["r"]),
    helper.make_node("Conv", ["r", "w1", "b1"], ["y"], kernel_shape=[1, 1]),
]
inits = [numpy_helper.from_array(a, n)
         for a, n in ((w3, "w3"), (b3, "b3"), (w1, "w1"), (b1, "b1"))]
save("blocked_convs", nodes, [vi("x", TensorProto.FLOAT, [1, C, H, H])],
     [vi("y", TensorProto.FLOAT, [1, F, H, H])], inits)

# Reference, in float64.
xp = np.pad(x[0].astype(np.float64), ((0, 0), (1, 1), (1, 1)))
c = np.zeros((M, H, H))
for kh in range(3):
    for kw in range(3):
        c += np.einsum("chw,mc->mhw", xp[:, kh:kh + H, kw:kw + H],
                       w3[:, :, kh, kw].astype(np.float64))
r = np.maximum(c + b3[:, None, None], 0)
y = np.einsum("mhw,fm->fhw", r, w1[:, :, 0, 0].astype(np.float64))
y += b1[:, None, None]
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y[None].astype(np.float32))

# A 3x3 conv 32 -> 464 on a 7x7 map: vectors along the 464 output channels
# in tiles of 3 vectors (the last tile 2 vectors), a task per tile.
C2, F2, H2 = 32, 464, 7
x2 = rng.standard_normal((1, C2, H2, H2)).astype(np.float32)
w2 = (rng.standard_normal((F2, C2, 3, 3)) / np.sqrt(9 * C2)).astype(np.float32)
b2 = (0.1 * rng.standard_normal(F2)).astype(np.float32)
save("blocked_panels",
     [helper.make_node("Conv", ["x", "w2", "b2"], ["y"], kernel_shape=[3, 3],
                       pads=[1, 1, 1, 1])],
     [vi("x", TensorProto.FLOAT, [1, C2, H2, H2])],
     [vi("y", TensorProto.FLOAT, [1, F2, H2, H2])],
     [numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(b2, "b2")])
xp2 = np.pad(x2[0].astype(np.float64), ((0, 0), (1, 1), (1, 1)))
y2 = np.zeros((F2, H2, H2))
for kh in range(3):
    for kw in range(3):
        y2 += np.einsum("chw,fc->fhw", xp2[:, kh:kh + H2, kw:kw + H2],
                        w2[:, :, kh, kw].astype(np.float64))
y2 += b2[:, None, None]
np.save(os.path.join(out, "x2.npy"), x2)
np.save(os.path.join(out, "y2.npy"), y2[None].astype(np.float32))
