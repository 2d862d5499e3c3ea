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


def qlinear_conv_weights(rng, prefix, shape, ys, yz):
    """The initializers of a QLinearConv after its input's: s8 weights of
    `shape` with per-channel scales in [0.001, 0.003) and zero points 0, an
    int32 bias in [-3000, 3000), output scale `ys` and zero point `yz` (u8),
    named prefix + w, ws, wz, b, ys, yz."""
    f = shape[0]
    return [init(prefix + "w", rng.integers(-127, 128, shape, dtype=np.int8)),
            init(prefix + "ws", (rng.random(f, dtype=np.float32) * 0.002 + 0.001)
                 .astype(np.float32)),
            init(prefix + "wz", np.zeros(f, np.int8)),
            init(prefix + "b", rng.integers(-3000, 3000, (f,), dtype=np.int32)),
            init(prefix + "ys", np.float32(ys)), init(prefix + "yz", np.uint8(yz))]


def ort_reference(model, feeds):
    """ONNX Runtime's (CPU) outputs of `model`, a ModelProto or the path of a
    saved one, on `feeds`; IR version 8 first (what this ONNX Runtime reads:
    a saved model is rewritten with it)."""
    import onnxruntime as ort
    if isinstance(model, str):
        path, model = model, onnx.load(model)
        model.ir_version = 8
        onnx.save(model, path)
    model.ir_version = 8
    return ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, feeds)
