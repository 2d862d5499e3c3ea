"""Usage: flat_pointwise.py OUT N C1 C2 F H W SEED. Writes OUT/flat.onnx: the
end of a ResNet bottleneck block that starts a stage, y = ReLU(Conv1x1(x,
w1, b1) + Conv1x1(z, w2, b2)) (conv3 and the downsample; x [N, C1, H, W],
z [N, C2, H, W], F output channels) followed by a 1x1 conv F -> C1 without
bias whose result is a second output (u), random inputs, and y and u
computed with NumPy in float64."""
import os
import sys

import numpy as np
from onnx import TensorProto

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, saver, vi  # noqa: E402
from onnx import helper  # noqa: E402

out = sys.argv[1]
N, C1, C2, F, H, W, seed = (int(a) for a in sys.argv[2:9])
rng = np.random.default_rng(seed)
x = rng.standard_normal((N, C1, H, W)).astype(np.float32)
z = rng.standard_normal((N, C2, H, W)).astype(np.float32)
w1 = (rng.standard_normal((F, C1, 1, 1)) / np.sqrt(C1)).astype(np.float32)
w2 = (rng.standard_normal((F, C2, 1, 1)) / np.sqrt(C2)).astype(np.float32)
w3 = (rng.standard_normal((C1, F, 1, 1)) / np.sqrt(F)).astype(np.float32)
b1 = (0.1 * rng.standard_normal(F)).astype(np.float32)
b2 = (0.1 * rng.standard_normal(F)).astype(np.float32)
saver(out)(
    "flat",
    [helper.make_node("Conv", ["x", "w1", "b1"], ["a"], kernel_shape=[1, 1]),
     helper.make_node("Conv", ["z", "w2", "b2"], ["b"], kernel_shape=[1, 1]),
     helper.make_node("Add", ["a", "b"], ["s"]),
     helper.make_node("Relu", ["s"], ["y"]),
     helper.make_node("Conv", ["y", "w3"], ["u"], kernel_shape=[1, 1])],
    [vi("x", TensorProto.FLOAT, [N, C1, H, W]),
     vi("z", TensorProto.FLOAT, [N, C2, H, W])],
    [vi("y", TensorProto.FLOAT, [N, F, H, W]),
     vi("u", TensorProto.FLOAT, [N, C1, H, W])],
    [init("w1", w1), init("w2", w2), init("w3", w3), init("b1", b1),
     init("b2", b2)])


def conv1x1(a, w, b=None):
    r = np.einsum("nchw,fc->nfhw", a.astype(np.float64),
                  w[:, :, 0, 0].astype(np.float64))
    return r if b is None else r + b[None, :, None, None]


y = np.maximum(conv1x1(x, w1, b1) + conv1x1(z, w2, b2), 0)
u = conv1x1(y.astype(np.float32), w3)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "z.npy"), z)
np.save(os.path.join(out, "y.npy"), y.astype(np.float32))
np.save(os.path.join(out, "u.npy"), u.astype(np.float32))
