"""Writes chain.onnx (MatMul, Add, LeakyRelu alpha 0.1, Softmax, Mul), the
same chain with LeakyRelu alpha 0.3 (chain-alpha.onnx: a reference that
differs from aicc by construction at node 'act' only) and x.npy."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def chain(alpha: float) -> onnx.ModelProto:
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((8, 6)).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal((6,)).astype(np.float32), "b")
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["mm"], name="matmul"),
        helper.make_node("Add", ["mm", "b"], ["lin"], name="bias"),
        helper.make_node("LeakyRelu", ["lin"], ["act"], name="act", alpha=alpha),
        helper.make_node("Softmax", ["act"], ["sm"], name="softmax", axis=1),
        helper.make_node("Mul", ["sm", "sm"], ["y"], name="square"),
    ]
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 6])], [w, b])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                             ir_version=8)


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
onnx.save(chain(0.1), os.path.join(out, "chain.onnx"))
onnx.save(chain(0.3), os.path.join(out, "chain-alpha.onnx"))
np.save(os.path.join(out, "x.npy"),
        np.random.default_rng(1).standard_normal((4, 8)).astype(np.float32))
