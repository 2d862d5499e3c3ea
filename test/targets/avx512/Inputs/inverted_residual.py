"""Writes inverted_residual.onnx (the expand -> depthwise part of a
MobileNetV2 block: a 1x1 conv 16 -> 48 with bias and ReLU6 (Clip), then a
depthwise 3x3 conv, pads 1, stride 2, with bias and ReLU6, on a 32x32 map),
a random input and the output computed with NumPy.

    inverted_residual.py OUT_DIR [MAP_SIZE STRIDE [CIN COUT]]
                                         (default 32 2 16 48)"""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(8)
C = int(sys.argv[4]) if len(sys.argv) > 4 else 16
F = int(sys.argv[5]) if len(sys.argv) > 5 else 48
H = int(sys.argv[2]) if len(sys.argv) > 2 else 32
S = int(sys.argv[3]) if len(sys.argv) > 3 else 2
O = (H - 1) // S + 1
x = rng.standard_normal((1, C, H, H)).astype(np.float32)
pw = (2 * rng.standard_normal((F, C, 1, 1)) / np.sqrt(C)).astype(np.float32)
pb = (0.5 * rng.standard_normal(F)).astype(np.float32)
dw = (2 * rng.standard_normal((F, 1, 3, 3))).astype(np.float32)
db = (0.5 * rng.standard_normal(F)).astype(np.float32)
lo = numpy_helper.from_array(np.array(0, np.float32), "lo")
hi = numpy_helper.from_array(np.array(6, np.float32), "hi")
nodes = [
    helper.make_node("Conv", ["x", "pw", "pb"], ["e"], kernel_shape=[1, 1]),
    helper.make_node("Clip", ["e", "lo", "hi"], ["er"]),
    helper.make_node("Conv", ["er", "dw", "db"], ["d"], kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1], strides=[S, S], group=F),
    helper.make_node("Clip", ["d", "lo", "hi"], ["y"]),
]
inits = [numpy_helper.from_array(pw, "pw"), numpy_helper.from_array(pb, "pb"),
         numpy_helper.from_array(dw, "dw"), numpy_helper.from_array(db, "db"),
         lo, hi]
save("inverted_residual", nodes, [vi("x", TensorProto.FLOAT, [1, C, H, H])],
     [vi("y", TensorProto.FLOAT, [1, F, O, O])], inits)

# Reference, in float64.
e = np.einsum("chw,fc->fhw", x[0].astype(np.float64),
              pw[:, :, 0, 0].astype(np.float64)) + pb[:, None, None]
e = np.clip(e, 0, 6)
ep = np.pad(e, ((0, 0), (1, 1), (1, 1)))
d = np.zeros((F, O, O)) + db[:, None, None]
for kh in range(3):
    for kw in range(3):
        d += (ep[:, kh:kh + S * O:S, kw:kw + S * O:S] *
              dw[:, 0, kh, kw, None, None])
y = np.clip(d, 0, 6)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y[None].astype(np.float32))
