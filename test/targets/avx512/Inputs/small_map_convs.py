"""Writes small_map_convs.onnx (a depthwise 3x3 conv, pads 1, on a 7x7 map
of 32 channels, then a 1x1 conv 32 -> 96 with bias), a random input and
the output computed with NumPy."""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(5)
C, F, H = 32, 96, 7
x = rng.standard_normal((1, C, H, H)).astype(np.float32)
dw = (rng.standard_normal((C, 1, 3, 3)) / 3).astype(np.float32)
pw = (rng.standard_normal((F, C, 1, 1)) / np.sqrt(C)).astype(np.float32)
bias = (0.1 * rng.standard_normal(F)).astype(np.float32)
nodes = [
    helper.make_node("Conv", ["x", "dw"], ["d"], kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1], group=C),
    helper.make_node("Conv", ["d", "pw", "bias"], ["y"], kernel_shape=[1, 1]),
]
inits = [numpy_helper.from_array(dw, "dw"), numpy_helper.from_array(pw, "pw"),
         numpy_helper.from_array(bias, "bias")]
save("small_map_convs", nodes, [vi("x", TensorProto.FLOAT, [1, C, H, H])],
     [vi("y", TensorProto.FLOAT, [1, F, H, H])], inits)

# Reference, in float64.
xp = np.pad(x[0].astype(np.float64), ((0, 0), (1, 1), (1, 1)))
d = np.zeros((C, H, H))
for kh in range(3):
    for kw in range(3):
        d += xp[:, kh:kh + H, kw:kw + H] * dw[:, 0, kh, kw, None, None]
y = np.einsum("chw,fc->fhw", d, pw[:, :, 0, 0].astype(np.float64))
y += bias[:, None, None]
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y[None].astype(np.float32))
