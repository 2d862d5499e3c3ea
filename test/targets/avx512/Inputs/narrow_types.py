"""Writes the model and .npy files of narrow-types.test into argv[1].

One opset-21 model: x (f32) cast to float8 E4M3FN (y8); q (int4) cast to
f32 (f); x quantized to int4 with a packed int4 zero point initializer (qi);
a constant beyond E4M3FN's range cast with saturate (sat: +-448, not folded
to NaN); a 2000-element float8 weight (stored as a resource) cast to f32 (w) and returned as it is (w8out).
References come from ml_dtypes / ONNX's reference evaluator; the .npy files
hold the one-byte forms of docs/Artifact.md.
"""
import os
import sys

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def npy(name, array):
    np.save(os.path.join(out, name + ".npy"), array)


vi = helper.make_tensor_value_info
zp = helper.make_tensor("zp", TensorProto.INT4, [3], [1, -2, 3])
scale = helper.make_tensor("scale", TensorProto.FLOAT, [], [0.5])
big = helper.make_tensor("big", TensorProto.FLOAT, [3], [1000.0, -1e6, 0.1])
w8 = numpy_helper.from_array(
    ((np.arange(2000, dtype=np.float32) - 1000) * 0.7).astype(
        ml_dtypes.float8_e4m3fn), "w8")
graph = helper.make_graph(
    [helper.make_node("Cast", ["x"], ["y8"], to=TensorProto.FLOAT8E4M3FN,
                      name="to_f8"),
     helper.make_node("Cast", ["q"], ["f"], to=TensorProto.FLOAT, name="from_i4"),
     helper.make_node("QuantizeLinear", ["x", "scale", "zp"], ["qi"], axis=0,
                      name="quantize"),
     helper.make_node("Cast", ["big"], ["sat"], to=TensorProto.FLOAT8E4M3FN,
                      name="saturate"),
     helper.make_node("Cast", ["w8"], ["w"], to=TensorProto.FLOAT, name="weight"),
     helper.make_node("Identity", ["w8"], ["w8out"], name="weight_bits")],
    "narrow", [vi("x", TensorProto.FLOAT, [3]), vi("q", TensorProto.INT4, [4])],
    [vi("y8", TensorProto.FLOAT8E4M3FN, [3]), vi("f", TensorProto.FLOAT, [4]),
     vi("qi", TensorProto.INT4, [3]), vi("sat", TensorProto.FLOAT8E4M3FN, [3]),
     vi("w", TensorProto.FLOAT, [2000]),
     vi("w8out", TensorProto.FLOAT8E4M3FN, [2000])],
    initializer=[zp, scale, big, w8])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
onnx.save(model, os.path.join(out, "narrow.onnx"))

x = np.array([0.3, -1000.0, 2.75], np.float32)
q = np.array([-8, -1, 0, 7], np.int8)
y8, f, qi, sat, w, w8out = ReferenceEvaluator(model).run(None, {"x": x, "q": q.astype(ml_dtypes.int4)})
npy("x", x)
npy("q_ok", q)
npy("q_bad", np.array([1, 100, 0, 0], np.int8))
npy("y8_ref", y8.view(np.uint8))
wrong = y8.view(np.uint8).copy()
wrong[0] ^= 1
npy("y8_wrong", wrong)
npy("f_ref", f)
npy("qi_ref", qi.astype(np.int8))
assert sat.astype(np.float32)[0] == 448
npy("sat_ref", sat.view(np.uint8))
npy("w_ref", w)
npy("w8out_ref", w8out.view(np.uint8))
