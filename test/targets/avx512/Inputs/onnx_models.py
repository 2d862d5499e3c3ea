"""Model-writing helpers shared by the generators of this folder's tests."""
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper


def saver(out):
    """A save(name, nodes, inputs, outputs, inits=()) writing opset-17
    models as out/<name>.onnx (out is created)."""
    os.makedirs(out, exist_ok=True)

    def save(name, nodes, inputs, outputs, inits=()):
        graph = helper.make_graph(nodes, name, inputs, outputs,
                                  initializer=list(inits))
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", 17)])
        onnx.save(model, os.path.join(out, name + ".onnx"))

    return save


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def init(name, a):
    """An initializer `name` holding the array (or nested list) `a`."""
    return numpy_helper.from_array(np.asarray(a), name)


def bf16_round(a):
    """f32 -> nearest-even bf16 -> f32."""
    u = np.asarray(a).astype(np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return (u.astype(np.uint32) << 16).view(np.float32)


def bf16_operand(nodes, name):
    """Appends Cast(name -> bfloat16 -> float) to `nodes` (what a bf16 dot
    product does to its activation operand); returns the rounded name."""
    nodes.append(helper.make_node("Cast", [name], [name + "_b"],
                                  to=onnx.TensorProto.BFLOAT16))
    nodes.append(helper.make_node("Cast", [name + "_b"], [name + "_r"],
                                  to=onnx.TensorProto.FLOAT))
    return name + "_r"
