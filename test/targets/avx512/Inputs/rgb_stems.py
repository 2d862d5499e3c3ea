"""Writes rgb_stems.onnx, convs over an RGB image (3 channels) with a
stride of 2 and a short reduction: y, ResNet-50's stem (7x7, pads 3,
3 -> 64, ReLU), z, MobileNetV2's (3x3, 3 -> 32, Clip 0..6) with asymmetric
pads (top and right only), both on a batch of 2 with odd rows (141 x 139:
planes of more than 4096 outputs, where the convs take vectors along their
rows); its input x.npy and ONNX Runtime's outputs y.npy and z.npy."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper
from onnx_models import init, ort_reference, saver, vi

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(7)
x = rng.standard_normal((2, 3, 141, 139)).astype(np.float32)
nodes = [
    helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], kernel_shape=[7, 7],
                     strides=[2, 2], pads=[3, 3, 3, 3]),
    helper.make_node("Relu", ["c0"], ["y"]),
    helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 0, 0, 1]),
    helper.make_node("Clip", ["c1", "lo", "hi"], ["z"]),
]
inits = [
    init("w0", (0.1 * rng.standard_normal((64, 3, 7, 7))).astype(np.float32)),
    init("b0", rng.standard_normal(64).astype(np.float32)),
    init("w1", (0.3 * rng.standard_normal((32, 3, 3, 3))).astype(np.float32)),
    init("b1", rng.standard_normal(32).astype(np.float32)),
    init("lo", np.float32(0)), init("hi", np.float32(6)),
]
save("rgb_stems", nodes, [vi("x", TensorProto.FLOAT, x.shape)],
     [vi("y", TensorProto.FLOAT, [2, 64, 71, 70]),
      vi("z", TensorProto.FLOAT, [2, 32, 70, 69])], inits)
np.save(os.path.join(out, "x.npy"), x)
y, z = ort_reference(os.path.join(out, "rgb_stems.onnx"), {"x": x})
np.save(os.path.join(out, "y.npy"), y)
np.save(os.path.join(out, "z.npy"), z)
