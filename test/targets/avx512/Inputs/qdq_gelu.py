"""Writes qdq_gelu.onnx: MatMul + bias + erf GELU + MatMul + bias (a BERT
feed-forward block, hidden 64, inner 256, 16 rows) quantized by ONNX
Runtime's quantize_static (QDQ, per-channel s8 weights, u8 activations),
a random input x.npy and ONNX Runtime's output y.npy."""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from onnxruntime import quantization as oq

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)
H, F, S = 64, 256, 16
f32 = np.float32


inits = [init("w1", rng.standard_normal((H, F)).astype(f32) / np.sqrt(H)),
         init("b1", rng.standard_normal(F).astype(f32) * 0.1),
         init("w2", rng.standard_normal((F, H)).astype(f32) / np.sqrt(F)),
         init("b2", rng.standard_normal(H).astype(f32) * 0.1),
         init("sqrt2", np.array(np.sqrt(2), f32)),
         init("one", np.array(1, f32)), init("half", np.array(0.5, f32))]
N = helper.make_node
nodes = [N("MatMul", ["x", "w1"], ["m1"], name="fc1"),
         N("Add", ["m1", "b1"], ["a1"], name="fc1_bias"),
         N("Div", ["a1", "sqrt2"], ["d"], name="gelu_div"),
         N("Erf", ["d"], ["e"], name="gelu_erf"),
         N("Add", ["e", "one"], ["e1"], name="gelu_add"),
         N("Mul", ["a1", "e1"], ["g0"], name="gelu_mul"),
         N("Mul", ["g0", "half"], ["g"], name="gelu_half"),
         N("MatMul", ["g", "w2"], ["m2"], name="fc2"),
         N("Add", ["m2", "b2"], ["y"], name="fc2_bias")]
graph = helper.make_graph(
    nodes, "ffn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, S, H])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, S, H])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8  # what the pinned ONNX Runtime loads
onnx.save(model, os.path.join(out, "ffn.onnx"))


class Reader(oq.CalibrationDataReader):
    def __init__(self):
        self.it = iter([{"x": rng.standard_normal((1, S, H)).astype(f32)}
                        for _ in range(4)])

    def get_next(self):
        return next(self.it, None)


src, dst = os.path.join(out, "ffn.onnx"), os.path.join(out, "qdq_gelu.onnx")
oq.quantize_static(src, dst, Reader(), quant_format=oq.QuantFormat.QDQ,
                   per_channel=True, activation_type=oq.QuantType.QUInt8,
                   weight_type=oq.QuantType.QInt8)
x = rng.standard_normal((1, S, H)).astype(f32)
sess = ort.InferenceSession(dst, providers=["CPUExecutionProvider"])
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), sess.run(None, {"x": x})[0])
