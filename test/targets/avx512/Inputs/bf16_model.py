"""Writes bf16_model.onnx, a small conv + matmul model for --precision=bf16:
Conv 3->16 (3x3, pads 1: odd channels, which aicc pads with a zero channel
for its bf16 dot products), Conv 16->32 (3x3, pads 1), Relu, Conv 32->32 (1x1, stride 2),
Relu, Flatten, Gemm (transB = 1, 2048 -> 64), Relu, MatMul (64 -> 24), and
its input x.npy. References from ONNX Runtime:
- y_fp32.npy: the model in fp32;
- y_bf16.npy: the same model with bf16 operands stated in ONNX ops (every
  Conv/Gemm/MatMul weight rounded to bf16, nearest even, with NumPy; every
  activation operand through Cast(bfloat16) and Cast(float)), i.e. what a
  bf16 dot product with f32 accumulation computes up to summation order;
- y_fp16.npy: the model with every Conv/Gemm/MatMul weight rounded to fp16
  (NumPy, nearest even), activations f32: --precision=fp16.
Prints the scale (max |y_fp32|) and the error of y_bf16 against y_fp32."""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnx_models import bf16_operand, bf16_round

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
x = rng.standard_normal((1, 3, 16, 16)).astype(np.float32)
weights = {
    "w0": rng.standard_normal((16, 3, 3, 3)).astype(np.float32) * 0.3,
    "b0": rng.standard_normal(16).astype(np.float32) * 0.1,
    "w1": rng.standard_normal((32, 16, 3, 3)).astype(np.float32) * 0.1,
    "b1": rng.standard_normal(32).astype(np.float32) * 0.1,
    "w2": rng.standard_normal((32, 32, 1, 1)).astype(np.float32) * 0.2,
    "w3": rng.standard_normal((64, 2048)).astype(np.float32) * 0.03,
    "b3": rng.standard_normal(64).astype(np.float32) * 0.1,
    "w4": rng.standard_normal((64, 24)).astype(np.float32) * 0.2,
}


def build(precision):
    """The model; bf16: rounded weights and activations; fp16: weights
    rounded to fp16."""
    bf16 = precision == "bf16"
    nodes, inits = [], []
    for name, value in weights.items():
        if name.startswith("w") and precision == "bf16":
            value = bf16_round(value)
        elif name.startswith("w") and precision == "fp16":
            value = value.astype(np.float16).astype(np.float32)
        inits.append(numpy_helper.from_array(value, name))

    def operand(name):
        if not bf16:
            return name
        return bf16_operand(nodes, name)

    nodes.append(helper.make_node("Conv", [operand("x"), "w0", "b0"], ["c0"],
                                  pads=[1, 1, 1, 1], name="conv0"))
    nodes.append(helper.make_node("Conv", [operand("c0"), "w1", "b1"], ["c1"],
                                  pads=[1, 1, 1, 1], name="conv1"))
    nodes.append(helper.make_node("Relu", ["c1"], ["r1"]))
    nodes.append(helper.make_node("Conv", [operand("r1"), "w2"], ["c2"],
                                  strides=[2, 2], name="conv2"))
    nodes.append(helper.make_node("Relu", ["c2"], ["r2"]))
    nodes.append(helper.make_node("Flatten", ["r2"], ["f"]))
    nodes.append(helper.make_node("Gemm", [operand("f"), "w3", "b3"], ["g"],
                                  transB=1, name="fc"))
    nodes.append(helper.make_node("Relu", ["g"], ["rg"]))
    nodes.append(helper.make_node("MatMul", [operand("rg"), "w4"], ["y"],
                                  name="head"))
    name = "bf16_model" if precision == "fp32" else precision + "_reference"
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 24])],
        initializer=inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # what ONNX Runtime reads
    path = os.path.join(out, name + ".onnx")
    onnx.save(model, path)
    return path


np.save(os.path.join(out, "x.npy"), x)
results = {}
for precision in ("fp32", "bf16", "fp16"):
    session = ort.InferenceSession(build(precision),
                                   providers=["CPUExecutionProvider"])
    results[precision] = session.run(None, {"x": x})[0]
    np.save(os.path.join(out, f"y_{precision}.npy"), results[precision])
scale = float(np.max(np.abs(results["fp32"])))
for precision in ("bf16", "fp16"):
    error = float(np.max(np.abs(results[precision] - results["fp32"])))
    print(f"scale {scale:.4g}; ORT {precision}-operand model vs fp32: max abs "
          f"error {error:.4g} ({error / scale:.2%} of the scale)")
