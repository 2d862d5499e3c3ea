"""Writes qlinear_add.onnx: com.microsoft QLinearAdd of two u8 tensors
(1x64x32) with a u8 result, the residual add of ResNet-50's quantized
blocks; the inputs hold every (a, b) pair of u8 values once. Also the
output ONNX Runtime computes (the reference)."""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, vi  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
inits = [init("as", np.float32(0.0417)), init("az", np.uint8(7)),
         init("bs", np.float32(0.0193)), init("bz", np.uint8(131)),
         init("cs", np.float32(0.0291)), init("cz", np.uint8(60))]
node = helper.make_node("QLinearAdd", ["a", "as", "az", "b", "bs", "bz", "cs", "cz"],
                        ["c"], domain="com.microsoft")
graph = helper.make_graph([node], "qlinear_add",
                          [vi("a", TensorProto.UINT8, [1, 256, 256]),
                           vi("b", TensorProto.UINT8, [1, 256, 256])],
                          [vi("c", TensorProto.UINT8, [1, 256, 256])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                helper.make_opsetid("com.microsoft", 1)])
model.ir_version = 8  # what this ONNX Runtime reads
path = os.path.join(out, "qlinear_add.onnx")
onnx.save(model, path)
a, b = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8))
a, b = a.reshape(1, 256, 256), b.reshape(1, 256, 256)
c = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"a": a, "b": b})[0]
np.save(os.path.join(out, "a.npy"), a)
np.save(os.path.join(out, "b.npy"), b)
np.save(os.path.join(out, "c.npy"), c)
