"""Usage: pointwise_convs.py OUT [H]. Writes OUT/pointwise_conv.onnx (a 1x1
conv 256 -> 128 with bias and ReLU on an Hx56 map, H = 8 by default: the
rows of ResNet-50's layer2.0.conv1), a random input and the output
computed with NumPy."""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(11)
C, F, W = 256, 128, 56
H = int(sys.argv[2]) if len(sys.argv) > 2 else 8
x = rng.standard_normal((1, C, H, W)).astype(np.float32)
w = (rng.standard_normal((F, C, 1, 1)) / np.sqrt(C)).astype(np.float32)
b = (0.1 * rng.standard_normal(F)).astype(np.float32)
save("pointwise_conv",
     [helper.make_node("Conv", ["x", "w", "b"], ["c"], kernel_shape=[1, 1]),
      helper.make_node("Relu", ["c"], ["y"])],
     [vi("x", TensorProto.FLOAT, [1, C, H, W])],
     [vi("y", TensorProto.FLOAT, [1, F, H, W])],
     [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
y = np.einsum("chw,fc->fhw", x[0].astype(np.float64),
              w[:, :, 0, 0].astype(np.float64)) + b[:, None, None]
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), np.maximum(y, 0)[None].astype(np.float32))
