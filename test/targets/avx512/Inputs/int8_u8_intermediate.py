"""Writes int8_u8_intermediate.onnx: two QLinearConvs, a 1x1 conv (64 -> 64
channels over 7x7) whose u8 result, mostly above 127 (zero point 160), is
an intermediate inside the next kernel (on a CPU with AMX-INT8 the 3x3
conv's activations are packed there for tdpbusd), then a 3x3 conv (64 -> 64,
pad 1). u8 activations, s8 per-channel weights, int32 bias: the layer
shape of ResNet-50's bottleneck blocks. Also a random input and the output
ONNX Runtime computes (the reference)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, ort_reference, qlinear_conv_weights, saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(11)


nodes = []
inits = [init("xs", np.float32(0.02)), init("xz", np.uint8(30))]
for n, src, (xs, xz), k, pads, yz in (("a", "x", ("xs", "xz"), 1, [0] * 4, 160),
                                     ("b", "ya", ("a_ys", "a_yz"), 3, [1] * 4, 40)):
    inits += qlinear_conv_weights(rng, n + "_", (64, 64, k, k),
                                  0.5 if n == "a" else 2.0, yz)
    nodes.append(helper.make_node(
        "QLinearConv", [src, xs, xz, n + "_w", n + "_ws", n + "_wz",
                        n + "_ys", n + "_yz", n + "_b"], ["y" + n], pads=pads))
save("int8_u8_intermediate", nodes, [vi("x", TensorProto.UINT8, [1, 64, 7, 7])],
     [vi("yb", TensorProto.UINT8, [1, 64, 7, 7])], inits)

x = rng.integers(0, 256, (1, 64, 7, 7), dtype=np.uint8)
yb = ort_reference(os.path.join(out, "int8_u8_intermediate.onnx"), {"x": x})[0]
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "yb.npy"), yb)
