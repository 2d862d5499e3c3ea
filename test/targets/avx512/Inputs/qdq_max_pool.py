"""Writes qdq_max_pool.onnx: two QDQ branches (ONNX Runtime's quantize_static
form) of Conv 3x3 (pad 1, u8 activations, s8 per-channel weights, int32
bias) -> QuantizeLinear -> DequantizeLinear -> MaxPool 3x3 stride 2
pad 1 -> QuantizeLinear with the same scale and zero point: ResNet-50's
stem and max pool. The maps are 29x29 (a 15-wide pooled row, below one
vector) and 70x70 (35 wide: a vector of 32 and a tail); the zero point
puts most u8 values above 127. Also a random input and the outputs ONNX
Runtime computes (the reference)."""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(5)

nodes, inits, inputs, outputs, feeds = [], [], [], [], {}
for n, size in (("a", 29), ("b", 70)):
    x, w, b = n + "_x", n + "_w", n + "_b"
    ws = (rng.random(16, dtype=np.float32) * 0.01 + 0.005).astype(np.float32)
    inits += [
        init(n + "_xs", np.float32(0.02)), init(n + "_xz", np.uint8(128)),
        init(w + "q", rng.integers(-127, 128, (16, 4, 3, 3), dtype=np.int8)),
        init(w + "s", ws),
        init(w + "z", np.zeros(16, np.int8)),
        init(b + "q", rng.integers(-2000, 2000, (16,), dtype=np.int32)),
        # x_scale * w_scale, as quantize_static writes it.
        init(b + "s", (np.float32(0.02) * ws).astype(np.float32)),
        init(b + "z", np.zeros(16, np.int32)),
        init(n + "_ys", np.float32(0.01)), init(n + "_yz", np.uint8(100)),
        init(n + "_ys2", np.float32(0.01)), init(n + "_yz2", np.uint8(100))]
    nodes += [
        helper.make_node("QuantizeLinear", [x, n + "_xs", n + "_xz"], [n + "_xq"]),
        helper.make_node("DequantizeLinear", [n + "_xq", n + "_xs", n + "_xz"], [n + "_xd"]),
        helper.make_node("DequantizeLinear", [w + "q", w + "s", w + "z"], [w + "d"], axis=0),
        helper.make_node("DequantizeLinear", [b + "q", b + "s", b + "z"], [b + "d"], axis=0),
        helper.make_node("Conv", [n + "_xd", w + "d", b + "d"], [n + "_c"], pads=[1] * 4),
        helper.make_node("QuantizeLinear", [n + "_c", n + "_ys", n + "_yz"], [n + "_rq"]),
        helper.make_node("DequantizeLinear", [n + "_rq", n + "_ys", n + "_yz"], [n + "_rd"]),
        helper.make_node("MaxPool", [n + "_rd"], [n + "_p"], kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1] * 4, name="pool_" + n),
        helper.make_node("QuantizeLinear", [n + "_p", n + "_ys2", n + "_yz2"], [n + "_y"])]
    pooled = (size + 1) // 2
    inputs.append(vi(x, TensorProto.FLOAT, [1, 4, size, size]))
    outputs.append(vi(n + "_y", TensorProto.UINT8, [1, 16, pooled, pooled]))
    feeds[x] = (rng.standard_normal((1, 4, size, size)) * 1.5).astype(np.float32)
save("qdq_max_pool", nodes, inputs, outputs, inits)

path = os.path.join(out, "qdq_max_pool.onnx")
model = onnx.load(path)
model.ir_version = 8  # what this ONNX Runtime reads
onnx.save(model, path)
ys = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, feeds)
for name, v in feeds.items():
    np.save(os.path.join(out, name + ".npy"), v)
for n, y in zip("ab", ys):
    assert (y > 127).mean() > 0.3, "too few u8 values above 127"
    np.save(os.path.join(out, n + "_y.npy"), y)
