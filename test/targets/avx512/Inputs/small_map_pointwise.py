"""Writes small_map_pointwise.onnx (a 1x1 conv CIN -> COUT with bias on an
HxH map), a random input and the output computed with NumPy.

    small_map_pointwise.py OUT_DIR CIN COUT [H]   (H: default 7)"""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
C, F = int(sys.argv[2]), int(sys.argv[3])
H = int(sys.argv[4]) if len(sys.argv) > 4 else 7
rng = np.random.default_rng(7)
x = rng.standard_normal((1, C, H, H)).astype(np.float32)
w = (rng.standard_normal((F, C, 1, 1)) / np.sqrt(C)).astype(np.float32)
b = (0.1 * rng.standard_normal(F)).astype(np.float32)
nodes = [helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[1, 1])]
save("small_map_pointwise", nodes, [vi("x", TensorProto.FLOAT, [1, C, H, H])],
     [vi("y", TensorProto.FLOAT, [1, F, H, H])],
     [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
y = np.einsum("chw,fc->fhw", x[0].astype(np.float64),
              w[:, :, 0, 0].astype(np.float64)) + b[:, None, None]
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y[None].astype(np.float32))
