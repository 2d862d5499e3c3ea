"""Usage: strided_pointwise.py OUT N C F H W SEED. Writes OUT/s2.onnx: a 1x1
conv of stride 2 with bias (a ResNet downsample, x [N, C, H, W], F output
channels), y = Conv(x, w, b), and its ReLU'd sum with a second input r of
the output's shape (the residual Add of the block it ends), a random input,
and y and u = ReLU(y + r) computed with NumPy in float64 from x[:, :, ::2,
::2]."""
import os
import sys

import numpy as np
from onnx import TensorProto

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, saver, vi  # noqa: E402
from onnx import helper  # noqa: E402

out = sys.argv[1]
N, C, F, H, W, seed = (int(a) for a in sys.argv[2:8])
Ho, Wo = (H - 1) // 2 + 1, (W - 1) // 2 + 1
rng = np.random.default_rng(seed)
x = rng.standard_normal((N, C, H, W)).astype(np.float32)
r = rng.standard_normal((N, F, Ho, Wo)).astype(np.float32)
w = (rng.standard_normal((F, C, 1, 1)) / np.sqrt(C)).astype(np.float32)
b = (0.1 * rng.standard_normal(F)).astype(np.float32)
saver(out)(
    "s2",
    [helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[1, 1],
                      strides=[2, 2]),
     helper.make_node("Add", ["y", "r"], ["s"]),
     helper.make_node("Relu", ["s"], ["u"])],
    [vi("x", TensorProto.FLOAT, [N, C, H, W]),
     vi("r", TensorProto.FLOAT, [N, F, Ho, Wo])],
    [vi("y", TensorProto.FLOAT, [N, F, Ho, Wo]),
     vi("u", TensorProto.FLOAT, [N, F, Ho, Wo])],
    [init("w", w), init("b", b)])

y = np.einsum("nchw,fc->nfhw", x[:, :, ::2, ::2].astype(np.float64),
              w[:, :, 0, 0].astype(np.float64)) + b[None, :, None, None]
u = np.maximum(y + r, 0)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "r.npy"), r)
np.save(os.path.join(out, "y.npy"), y.astype(np.float32))
np.save(os.path.join(out, "u.npy"), u.astype(np.float32))
