"""Writes int8_wide_pointwise.onnx: a QLinearConv 1x1 of 512 -> 64 channels
on a 7x7 map (the shape of ResNet-50's layer4 convs: 128 blocks of 4 input
channels, 196 bytes each once packed), u8 activations, s8 per-channel
weights, int32 bias; also a random input and the output ONNX Runtime
computes (the reference)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, ort_reference, qlinear_conv_weights, saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(4)
inits = [init("xs", np.float32(0.02)), init("xz", np.uint8(120))]
inits += qlinear_conv_weights(rng, "", (64, 512, 1, 1), 0.05, 128)
nodes = [helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"],
                          ["y"])]
save("int8_wide_pointwise", nodes, [vi("x", TensorProto.UINT8, [1, 512, 7, 7])],
     [vi("y", TensorProto.UINT8, [1, 64, 7, 7])], inits)
x = rng.integers(0, 256, (1, 512, 7, 7), dtype=np.uint8)
y = ort_reference(os.path.join(out, "int8_wide_pointwise.onnx"), {"x": x})[0]
assert 0.3 < (y > 127).mean() < 0.7
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y)
