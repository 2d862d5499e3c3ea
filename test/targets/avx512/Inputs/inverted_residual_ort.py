"""Writes OUT_DIR/inverted_residual.onnx (a 1x1 conv CIN -> COUT with bias
and ReLU6, then a depthwise 3x3 conv with bias and ReLU6 of stride S and
pads PADS, on N maps of HxH), a random input x.npy and ONNX Runtime's
output y.npy.

    inverted_residual_ort.py OUT_DIR N CIN COUT H S [PADS]
                                       (PADS: top,left,bottom,right; 1,1,1,1)"""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import ort_reference, saver, vi  # noqa: E402

out = sys.argv[1]
N, C, F, H, S = (int(a) for a in sys.argv[2:7])
pads = [int(p) for p in sys.argv[7].split(",")] if len(sys.argv) > 7 else [1] * 4
save = saver(out)
rng = np.random.default_rng(11)
w = (rng.standard_normal((F, C, 1, 1)) / np.sqrt(C)).astype(np.float32)
b = (0.3 * rng.standard_normal(F)).astype(np.float32)
dw = rng.standard_normal((F, 1, 3, 3)).astype(np.float32)
db = (0.3 * rng.standard_normal(F)).astype(np.float32)
O = (H + pads[0] + pads[2] - 3) // S + 1
nodes = [
    helper.make_node("Conv", ["x", "w", "b"], ["e"], kernel_shape=[1, 1]),
    helper.make_node("Clip", ["e", "lo", "hi"], ["er"]),
    helper.make_node("Conv", ["er", "dw", "db"], ["d"], kernel_shape=[3, 3],
                     pads=pads, strides=[S, S], group=F),
    helper.make_node("Clip", ["d", "lo", "hi"], ["y"]),
]
inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"),
         numpy_helper.from_array(dw, "dw"), numpy_helper.from_array(db, "db"),
         numpy_helper.from_array(np.array(0, np.float32), "lo"),
         numpy_helper.from_array(np.array(6, np.float32), "hi")]
save("inverted_residual", nodes, [vi("x", TensorProto.FLOAT, [N, C, H, H])],
     [vi("y", TensorProto.FLOAT, [N, F, O, O])], inits)
x = rng.standard_normal((N, C, H, H)).astype(np.float32)
y = ort_reference(os.path.join(out, "inverted_residual.onnx"), {"x": x})[0]
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y)
