"""Writes int8_stem.onnx: a QLinearConv shaped like ResNet-50's stem (3 -> 16
channels, 7x7, stride 2, pad 3) on a 1x3x160x160 u8 image (an 80x80 output
plane, more than 4096 pixels), u8 activations, s8 per-channel weights,
int32 bias; also a random input and the output ONNX Runtime computes (the
reference)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, ort_reference, qlinear_conv_weights, saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(3)
inits = [init("xs", np.float32(0.02)), init("xz", np.uint8(120))]
inits += qlinear_conv_weights(rng, "", (16, 3, 7, 7), 0.03, 128)
nodes = [helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"],
                          ["y"], kernel_shape=[7, 7], strides=[2, 2], pads=[3] * 4)]
save("int8_stem", nodes, [vi("x", TensorProto.UINT8, [1, 3, 160, 160])],
     [vi("y", TensorProto.UINT8, [1, 16, 80, 80])], inits)
x = rng.integers(0, 256, (1, 3, 160, 160), dtype=np.uint8)
y = ort_reference(os.path.join(out, "int8_stem.onnx"), {"x": x})[0]
# Values on both sides of 127 and some saturated at each end.
assert 0.3 < (y > 127).mean() < 0.7 and 0 < (y == 0).mean() < 0.2 and 0 < (y == 255).mean() < 0.2
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y)
