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
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(11)


nodes = []
inits = [init("xs", np.float32(0.02)), init("xz", np.uint8(30))]
for n, src, (xs, xz), k, pads, yz in (("a", "x", ("xs", "xz"), 1, [0] * 4, 160),
                                     ("b", "ya", ("a_ys", "a_yz"), 3, [1] * 4, 40)):
    inits += [
        init(n + "_w", rng.integers(-127, 128, (64, 64, k, k), dtype=np.int8)),
        init(n + "_ws", (rng.random(64, dtype=np.float32) * 0.002 + 0.001).astype(np.float32)),
        init(n + "_wz", np.zeros(64, np.int8)),
        init(n + "_b", rng.integers(-3000, 3000, (64,), dtype=np.int32)),
        init(n + "_ys", np.float32(0.5 if n == "a" else 2.0)),
        init(n + "_yz", np.uint8(yz))]
    nodes.append(helper.make_node(
        "QLinearConv", [src, xs, xz, n + "_w", n + "_ws", n + "_wz",
                        n + "_ys", n + "_yz", n + "_b"], ["y" + n], pads=pads))
save("int8_u8_intermediate", nodes, [vi("x", TensorProto.UINT8, [1, 64, 7, 7])],
     [vi("yb", TensorProto.UINT8, [1, 64, 7, 7])], inits)

path = os.path.join(out, "int8_u8_intermediate.onnx")
model = onnx.load(path)
model.ir_version = 8  # what this ONNX Runtime reads
onnx.save(model, path)
x = rng.integers(0, 256, (1, 64, 7, 7), dtype=np.uint8)
yb = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(
    None, {"x": x})[0]
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "yb.npy"), yb)
