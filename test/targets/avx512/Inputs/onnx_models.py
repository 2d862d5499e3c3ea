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
