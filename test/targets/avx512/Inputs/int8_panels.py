"""Writes int8_panels.onnx: QLinearConvs whose weights PackWeights splits
into panels of one register tile's output channels and whose u8 input is
read without an i8 copy: a 1x1 conv over 14x14 (output channels
vectorized, 96 = 3 panels of 32), a strided 1x1 conv on its result (read
without a crop), and a 3x3 conv over 9x32 (pixels vectorized, rows of
output channels in panels); u8 activations with nonzero zero points, s8
per-channel weights, int32 bias. Also a random input and the outputs
computed with NumPy from ONNX's definitions (int32 accumulation, the f32
multiplier x_scale * w_scale / y_scale, rint, saturate)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(5)


def conv_params(name, f, c, k):
    return {
        "w": rng.integers(-127, 128, (f, c, k, k), dtype=np.int8),
        "ws": (rng.random(f, dtype=np.float32) * 0.004 + 0.001).astype(np.float32),
        "b": rng.integers(-3000, 3000, (f,), dtype=np.int32),
        "ys": np.float32(0.4), "yz": np.uint8(90), "name": name}


def reference(x, xs, xz, p, stride, pad):
    w = p["w"].astype(np.int64)
    f, c, k, _ = w.shape
    xp = np.pad(x[0].astype(np.int64) - int(xz), ((0, 0), (pad, pad), (pad, pad)))
    oh = (xp.shape[1] - k) // stride + 1
    ow = (xp.shape[2] - k) // stride + 1
    acc = np.zeros((f, oh, ow), np.int64)
    for kh in range(k):
        for kw in range(k):
            win = xp[:, kh:kh + stride * (oh - 1) + 1:stride, kw:kw + stride * (ow - 1) + 1:stride]
            acc += np.einsum("chw,fc->fhw", win, w[:, :, kh, kw])
    acc += p["b"][:, None, None]
    mult = (xs * p["ws"] / p["ys"]).astype(np.float32)
    y = np.rint(acc.astype(np.float32) * mult[:, None, None]) + int(p["yz"])
    return np.clip(y, 0, 255).astype(np.uint8)[None]


x = rng.integers(0, 256, (1, 64, 14, 14), dtype=np.uint8)
x2 = rng.integers(0, 256, (1, 8, 9, 32), dtype=np.uint8)
xs, xz = np.float32(0.02), np.uint8(7)
a = conv_params("a", 96, 64, 1)
b = conv_params("b", 48, 96, 1)
c = conv_params("c", 40, 8, 3)
nodes, inits = [], [init("xs", xs), init("xz", xz)]
for p, src, sz in ((a, "x", ("xs", "xz")), (b, "ya", ("a_ys", "a_yz")), (c, "x2", ("xs", "xz"))):
    n = p["name"]
    inits += [init(n + "_w", p["w"]), init(n + "_ws", p["ws"]), init(n + "_b", p["b"]),
              init(n + "_wz", np.zeros(p["w"].shape[0], np.int8)),
              init(n + "_ys", p["ys"]), init(n + "_yz", p["yz"])]
    attrs = {"a": {}, "b": {"strides": [2, 2]}, "c": {"pads": [1, 1, 1, 1]}}[n]
    nodes.append(helper.make_node(
        "QLinearConv", [src, sz[0], sz[1], n + "_w", n + "_ws", n + "_wz",
                        n + "_ys", n + "_yz", n + "_b"], ["y" + n], **attrs))
save("int8_panels", nodes,
     [vi("x", TensorProto.UINT8, [1, 64, 14, 14]), vi("x2", TensorProto.UINT8, [1, 8, 9, 32])],
     [vi("yb", TensorProto.UINT8, [1, 48, 7, 7]), vi("yc", TensorProto.UINT8, [1, 40, 9, 32])],
     inits)

ya = reference(x, xs, xz, a, 1, 0)
yb = reference(ya, a["ys"], a["yz"], b, 2, 0)
yc = reference(x2, xs, xz, c, 1, 1)
for name, v in (("x", x), ("x2", x2), ("yb", yb), ("yc", yc)):
    np.save(os.path.join(out, name + ".npy"), v)
