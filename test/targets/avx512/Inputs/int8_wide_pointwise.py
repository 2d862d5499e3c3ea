"""Writes int8_wide_pointwise.onnx: a QLinearConv 1x1 of 512 -> 64 channels
on a 7x7 map (the shape of ResNet-50's layer4 convs: 128 blocks of 4 input
channels, 196 bytes each once packed), u8 activations, s8 per-channel
weights, int32 bias; also a random input and the output ONNX Runtime
computes (the reference)."""
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
rng = np.random.default_rng(4)
inits = [init("xs", np.float32(0.02)), init("xz", np.uint8(120)),
         init("w", rng.integers(-127, 128, (64, 512, 1, 1), dtype=np.int8)),
         init("ws", (rng.random(64, dtype=np.float32) * 0.002 + 0.001).astype(np.float32)),
         init("wz", np.zeros(64, np.int8)),
         init("b", rng.integers(-3000, 3000, (64,), dtype=np.int32)),
         init("ys", np.float32(0.05)), init("yz", np.uint8(128))]
nodes = [helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"],
                          ["y"])]
save("int8_wide_pointwise", nodes, [vi("x", TensorProto.UINT8, [1, 512, 7, 7])],
     [vi("y", TensorProto.UINT8, [1, 64, 7, 7])], inits)
path = os.path.join(out, "int8_wide_pointwise.onnx")
model = onnx.load(path)
model.ir_version = 8  # what this ONNX Runtime reads
onnx.save(model, path)
x = rng.integers(0, 256, (1, 512, 7, 7), dtype=np.uint8)
y = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
assert 0.3 < (y > 127).mean() < 0.7
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y)
