"""Writes the model and .npy files of narrow-types.test into argv[1].

One opset-21 model: x (f32) cast to float8 E4M3FN (y8); q (int4) cast to
f32 (f); x quantized to int4 with a packed int4 zero point initializer (qi).
References come from ml_dtypes / ONNX's reference evaluator; the .npy files
hold the one-byte forms of docs/Artifact.md.
"""
import os
import sys

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def npy(name, array):
    np.save(os.path.join(out, name + ".npy"), array)


vi = helper.make_tensor_value_info
zp = helper.make_tensor("zp", TensorProto.INT4, [3], [1, -2, 3])
scale = helper.make_tensor("scale", TensorProto.FLOAT, [], [0.5])
graph = helper.make_graph(
    [helper.make_node("Cast", ["x"], ["y8"], to=TensorProto.FLOAT8E4M3FN,
                      name="to_f8"),
     helper.make_node("Cast", ["q"], ["f"], to=TensorProto.FLOAT, name="from_i4"),
     helper.make_node("QuantizeLinear", ["x", "scale", "zp"], ["qi"], axis=0,
                      name="quantize")],
    "narrow", [vi("x", TensorProto.FLOAT, [3]), vi("q", TensorProto.INT4, [4])],
    [vi("y8", TensorProto.FLOAT8E4M3FN, [3]), vi("f", TensorProto.FLOAT, [4]),
     vi("qi", TensorProto.INT4, [3])],
    initializer=[zp, scale])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
onnx.save(model, os.path.join(out, "narrow.onnx"))

x = np.array([0.3, -1000.0, 2.75], np.float32)
q = np.array([-8, -1, 0, 7], np.int8)
y8, f, qi = ReferenceEvaluator(model).run(None, {"x": x, "q": q.astype(ml_dtypes.int4)})
npy("x", x)
npy("q_ok", q)
npy("q_bad", np.array([1, 100, 0, 0], np.int8))
npy("y8_ref", y8.view(np.uint8))
wrong = y8.view(np.uint8).copy()
wrong[0] ^= 1
npy("y8_wrong", wrong)
npy("f_ref", f)
npy("qi_ref", qi.astype(np.int8))
