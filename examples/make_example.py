#!/usr/bin/env python3
"""Writes examples/tiny-cnn.onnx: a small MNIST-shaped CNN with fixed random
weights (seed 0), built with onnx.helper so it needs no framework.

    .venv/bin/python examples/make_example.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)


def weight(name, *shape):
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    w = rng.normal(0, 1 / np.sqrt(fan_in), size=shape).astype(np.float32)
    return numpy_helper.from_array(w, name)


inits = [
    weight("conv1.weight", 8, 1, 3, 3), weight("conv1.bias", 8),
    weight("conv2.weight", 16, 8, 3, 3), weight("conv2.bias", 16),
    weight("fc.weight", 10, 16), weight("fc.bias", 10),
]
nodes = [
    helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"],
                     name="conv1", pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
    helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1",
                     kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"],
                     name="conv2", pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
    helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
    helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
    helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"],
                     name="fc", transB=1),
    helper.make_node("Softmax", ["logits"], ["probs"], name="softmax",
                     axis=-1),
]
graph = helper.make_graph(
    nodes, "tiny_cnn",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                   ["batch", 1, 28, 28])],
    [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 10])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                          producer_name="aicc-examples")
model.ir_version = 8
onnx.checker.check_model(model)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny-cnn.onnx")
onnx.save(model, out)
print(f"wrote {out}")
