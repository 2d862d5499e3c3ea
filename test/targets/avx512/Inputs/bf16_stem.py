"""Writes bf16_stem.onnx, convs over an RGB image (3 channels, odd) with a
stride of 2 along the rows, which --precision=bf16 computes as dot products
of pairs of window columns (LowPrecisionKernels.cpp): a 7x7 stride-2 stem
(pads 3, output rows of 30 pixels: two vectors, the second shifted inwards)
and a 3x5 conv with strides (1, 2), asymmetric pads and an odd window width
(5 columns, the last pair half zero) on a batch of 2; its input x.npy and
ONNX Runtime's results of the same model with every operand rounded to bf16
(nearest even, with NumPy): y_bf16.npy and z_bf16.npy, what bf16 dot
products with f32 accumulation compute up to summation order."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx_models import bf16_round, ort_reference

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)


x = rng.standard_normal((2, 3, 36, 60)).astype(np.float32)
w0 = rng.standard_normal((32, 3, 7, 7)).astype(np.float32) * 0.2
b0 = rng.standard_normal(32).astype(np.float32) * 0.1
w1 = rng.standard_normal((24, 3, 3, 5)).astype(np.float32) * 0.3


def build(rounded):
    def value(a):
        return bf16_round(a) if rounded else a
    inits = [numpy_helper.from_array(value(w0), "w0"),
             numpy_helper.from_array(b0, "b0"),
             numpy_helper.from_array(value(w1), "w1")]
    nodes = [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], kernel_shape=[7, 7],
                         strides=[2, 2], pads=[3, 3, 3, 3], name="stem"),
        helper.make_node("Relu", ["c0"], ["y"]),
        helper.make_node("Conv", ["x", "w1"], ["z"], kernel_shape=[3, 5],
                         strides=[1, 2], pads=[1, 2, 0, 1], name="wide"),
    ]
    graph = helper.make_graph(
        nodes, "bf16_stem",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 36, 60])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 32, 18, 30]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 24, 35, 30])],
        initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


onnx.save(build(False), os.path.join(out, "bf16_stem.onnx"))
np.save(os.path.join(out, "x.npy"), x)
y, z = ort_reference(build(True), {"x": bf16_round(x)})
np.save(os.path.join(out, "y_bf16.npy"), y)
np.save(os.path.join(out, "z_bf16.npy"), z)
print(f"scale y {np.max(np.abs(y)):.3g} z {np.max(np.abs(z)):.3g}")
