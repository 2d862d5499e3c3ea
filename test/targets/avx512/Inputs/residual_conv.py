"""Usage: residual_conv.py OUT NAME C F H W SEED. Writes OUT/NAME.onnx (a
1x1 conv C -> F with bias, a residual Add and ReLU on an HxW map, as in
ResNet-50's bottleneck blocks), random inputs and the output computed with
NumPy."""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out, name = sys.argv[1], sys.argv[2]
C, F, H, W, seed = (int(a) for a in sys.argv[3:8])
save = saver(out)
rng = np.random.default_rng(seed)
x = rng.standard_normal((1, C, H, W)).astype(np.float32)
res = rng.standard_normal((1, F, H, W)).astype(np.float32)
w = (rng.standard_normal((F, C, 1, 1)) / np.sqrt(C)).astype(np.float32)
b = (0.1 * rng.standard_normal(F)).astype(np.float32)
save(name,
     [helper.make_node("Conv", ["x", "w", "b"], ["c"], kernel_shape=[1, 1]),
      helper.make_node("Add", ["c", "res"], ["s"]),
      helper.make_node("Relu", ["s"], ["y"])],
     [vi("x", TensorProto.FLOAT, [1, C, H, W]),
      vi("res", TensorProto.FLOAT, [1, F, H, W])],
     [vi("y", TensorProto.FLOAT, [1, F, H, W])],
     [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
y = np.einsum("chw,fc->fhw", x[0].astype(np.float64),
              w[:, :, 0, 0].astype(np.float64)) + b[:, None, None]
y = np.maximum(y + res[0].astype(np.float64), 0)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "res.npy"), res)
np.save(os.path.join(out, "y.npy"), y[None].astype(np.float32))
