"""Writes conv_weight_prefetch.onnx (on a 7x7 map: a 3x3 conv 64 -> 464,
pads 1, + bias + ReLU, a 1x1 conv 464 -> 384 + bias + ReLU, a 1x1 conv
384 -> 512 + bias) and
wide_map.onnx (3x3 convs 32 -> 64 on a 28x28 map, 64 -> 256 stride 2 to
14x14), random inputs and the
outputs computed with NumPy in float64."""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(11)


def conv(x, w, b, pad):
    """NCHW conv, stride 1, float64."""
    c, h, wd = x.shape[1:]
    f, _, kh, kw = w.shape
    xp = np.pad(x[0].astype(np.float64), ((0, 0), (pad, pad), (pad, pad)))
    ho, wo = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    y = np.zeros((f, ho, wo))
    for i in range(kh):
        for j in range(kw):
            y += np.einsum("chw,fc->fhw", xp[:, i:i + ho, j:j + wo],
                           w[:, :, i, j].astype(np.float64))
    return (y + b[:, None, None])[None]


def weights(f, c, k):
    return (rng.standard_normal((f, c, k, k)) / np.sqrt(c * k * k)).astype(
        np.float32)


# Two convs on a 7x7 map.
C, M, N, F, H = 64, 464, 384, 512, 7
x = rng.standard_normal((1, C, H, H)).astype(np.float32)
w1, w2, w3 = weights(M, C, 3), weights(N, M, 1), weights(F, N, 1)
b1 = (0.1 * rng.standard_normal(M)).astype(np.float32)
b2 = (0.1 * rng.standard_normal(N)).astype(np.float32)
b3 = (0.1 * rng.standard_normal(F)).astype(np.float32)
nodes = [
    helper.make_node("Conv", ["x", "w1", "b1"], ["c"], kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c"], ["r"]),
    helper.make_node("Conv", ["r", "w2", "b2"], ["d"], kernel_shape=[1, 1]),
    helper.make_node("Relu", ["d"], ["s"]),
    helper.make_node("Conv", ["s", "w3", "b3"], ["y"], kernel_shape=[1, 1]),
]
inits = [numpy_helper.from_array(a, n)
         for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"),
                      (w3, "w3"), (b3, "b3"))]
save("conv_weight_prefetch", nodes, [vi("x", TensorProto.FLOAT, [1, C, H, H])],
     [vi("y", TensorProto.FLOAT, [1, F, H, H])], inits)
r = np.maximum(conv(x, w1, b1, 1), 0).astype(np.float32)
s = np.maximum(conv(r, w2, b2, 0), 0).astype(np.float32)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), conv(s, w3, b3, 0).astype(np.float32))

# A 3x3 conv 32 -> 64 on a 28x28 map (tasks of rows of pixels, which read
# all the weights each), then a 3x3 conv 64 -> 256, stride 2, to 14x14 (4
# panels of 64 channels, each read by the tasks of its rows).
C, F, G, H = 32, 64, 256, 28
x = rng.standard_normal((1, C, H, H)).astype(np.float32)
w, b = weights(F, C, 3), (0.1 * rng.standard_normal(F)).astype(np.float32)
w2, b2 = weights(G, F, 3), (0.1 * rng.standard_normal(G)).astype(np.float32)
nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], kernel_shape=[3, 3],
                          pads=[1, 1, 1, 1]),
         helper.make_node("Conv", ["c", "w2", "b2"], ["y"], kernel_shape=[3, 3],
                          pads=[1, 1, 1, 1], strides=[2, 2])]
save("wide_map", nodes, [vi("x", TensorProto.FLOAT, [1, C, H, H])],
     [vi("y", TensorProto.FLOAT, [1, G, H // 2, H // 2])],
     [numpy_helper.from_array(a, n)
      for a, n in ((w, "w"), (b, "b"), (w2, "w2"), (b2, "b2"))])
c = conv(x, w, b, 1).astype(np.float32)
y = conv(c, w2, b2, 1)[:, :, ::2, ::2]
np.save(os.path.join(out, "x2.npy"), x)
np.save(os.path.join(out, "y2.npy"), y.astype(np.float32))
