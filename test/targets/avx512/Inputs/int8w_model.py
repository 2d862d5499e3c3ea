"""A decoder-style MatMul + bias with a dynamic sequence dim, [1, S, 64] x
[64, 100], and NumPy references for --precision=int8w: the weights
quantized per column (scale = max |W[:, n]| / 127, q = round-to-nearest-even
of W / scale), y = (x @ q) * scale + bias in f64, for S = 1 (a decode step)
and S = 5; plus the fp32 result. Writes int8w_model.onnx, x1/x5.npy,
y1_int8w/y5_int8w.npy and y1_fp32.npy into the directory given."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(7)
K, N = 64, 100
w = (rng.standard_normal((K, N)) * 0.1).astype(np.float32)
w[:, 3] = 0.0  # a zero column: scale 1, all q 0
bias = rng.standard_normal(N).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
     helper.make_node("Add", ["m", "b"], ["y"], name="bias")],
    "int8w",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "sequence", K])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "sequence", N])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(bias, "b")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
onnx.save(model, os.path.join(out, "int8w_model.onnx"))

scale = np.abs(w).max(axis=0) / np.float32(127)
scale = np.where(scale > 0, scale, np.float32(1)).astype(np.float32)
q = np.clip(np.rint(w / scale), -127, 127)
for s in (1, 5):
    x = rng.standard_normal((1, s, K)).astype(np.float32)
    np.save(os.path.join(out, f"x{s}.npy"), x)
    y = (x.astype(np.float64) @ q) * scale + bias
    np.save(os.path.join(out, f"y{s}_int8w.npy"), y.astype(np.float32))
    if s == 1:
        np.save(os.path.join(out, "y1_fp32.npy"),
                (x.astype(np.float64) @ w + bias).astype(np.float32))
