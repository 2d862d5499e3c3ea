"""Writes bf16_residual.onnx, a residual block on a 7x7 map (the shape of
ResNet-50's layer4) for --precision=bf16: h = Relu(Conv 1x1 48->48 (x)) is
both the f32 residual and, rounded to bf16, the next conv's operand, so its
kernel has a bf16 output of rows of 7 elements; y = h + Conv 3x3 (h). Also
writes x.npy and y_bf16.npy: ONNX Runtime's result of the same model with
every conv operand rounded to bf16 (nearest even, NumPy), what bf16 dot
products with f32 accumulation compute up to summation order."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx_models import bf16_operand, bf16_round, ort_reference

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)
x = rng.standard_normal((1, 48, 7, 7)).astype(np.float32)
w0 = rng.standard_normal((48, 48, 1, 1)).astype(np.float32) * 0.15
b0 = rng.standard_normal(48).astype(np.float32) * 0.1
w1 = rng.standard_normal((48, 48, 3, 3)).astype(np.float32) * 0.05


def build(rounded):
    nodes = []

    def operand(name):
        if not rounded:
            return name
        return bf16_operand(nodes, name)

    value = bf16_round if rounded else (lambda a: a)
    inits = [numpy_helper.from_array(value(w0), "w0"),
             numpy_helper.from_array(b0, "b0"),
             numpy_helper.from_array(value(w1), "w1")]
    nodes.append(helper.make_node("Conv", [operand("x"), "w0", "b0"], ["c0"],
                                  name="conv0"))
    nodes.append(helper.make_node("Relu", ["c0"], ["h"]))
    nodes.append(helper.make_node("Conv", [operand("h"), "w1"], ["c1"],
                                  pads=[1, 1, 1, 1], name="conv1"))
    nodes.append(helper.make_node("Add", ["h", "c1"], ["y"]))
    graph = helper.make_graph(
        nodes, "bf16_residual",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 48, 7, 7])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 48, 7, 7])],
        initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


onnx.save(build(False), os.path.join(out, "bf16_residual.onnx"))
np.save(os.path.join(out, "x.npy"), x)
y = ort_reference(build(True), {"x": x})[0]
np.save(os.path.join(out, "y_bf16.npy"), y)
print(f"scale {np.max(np.abs(y)):.3g}")
