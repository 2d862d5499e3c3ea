"""Writes depthwise_14.onnx (a depthwise 3x3 conv, pads 1, with bias and
ReLU6, on a 14x14 map of 48 channels, as in MobileNetV2's blocks 8-14), a
random input and the output computed with NumPy.

    depthwise_14.py OUT_DIR [MAP_SIZE [CHANNELS [STRIDE]]]   (default 14 48
    1; writes depthwise_MAP_SIZE.onnx, or depthwise_MAP_SIZE_s2.onnx for
    stride 2)"""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(14)
C = int(sys.argv[3]) if len(sys.argv) > 3 else 48
H = int(sys.argv[2]) if len(sys.argv) > 2 else 14
S = int(sys.argv[4]) if len(sys.argv) > 4 else 1
O = (H + 2 - 3) // S + 1
x = (2 * rng.standard_normal((1, C, H, H))).astype(np.float32)
dw = rng.standard_normal((C, 1, 3, 3)).astype(np.float32)
db = (0.5 * rng.standard_normal(C)).astype(np.float32)
lo = numpy_helper.from_array(np.array(0, np.float32), "lo")
hi = numpy_helper.from_array(np.array(6, np.float32), "hi")
nodes = [
    helper.make_node("Conv", ["x", "dw", "db"], ["d"], kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1], strides=[S, S], group=C),
    helper.make_node("Clip", ["d", "lo", "hi"], ["y"]),
]
inits = [numpy_helper.from_array(dw, "dw"), numpy_helper.from_array(db, "db"),
         lo, hi]
save(f"depthwise_{H}" + (f"_s{S}" if S != 1 else ""), nodes,
     [vi("x", TensorProto.FLOAT, [1, C, H, H])],
     [vi("y", TensorProto.FLOAT, [1, C, O, O])], inits)

# Reference, in float64.
xp = np.pad(x[0].astype(np.float64), ((0, 0), (1, 1), (1, 1)))
d = np.zeros((C, O, O)) + db[:, None, None]
for kh in range(3):
    for kw in range(3):
        d += (xp[:, kh:kh + S * (O - 1) + 1:S, kw:kw + S * (O - 1) + 1:S] *
              dw[:, 0, kh, kw, None, None])
y = np.clip(d, 0, 6)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y[None].astype(np.float32))
