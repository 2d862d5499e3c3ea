"""Writes int8_dot.onnx (QLinearConv, 3x3, pads 1, u8 activations with
zero point 7, s8 per-channel weights, int32 bias; 6 input channels so the
channels are padded to 8) and QLinearMatMul (K = 24, 40 columns, B
constant), a random input and the outputs computed with NumPy from ONNX's
definitions (int32 accumulation, rint, saturate)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(3)
C, F, H, W = 6, 32, 9, 20
x = rng.integers(0, 256, (1, C, H, W), dtype=np.uint8)
w = rng.integers(-127, 128, (F, C, 3, 3), dtype=np.int8)
bias = rng.integers(-3000, 3000, (F,), dtype=np.int32)
xs, xz = np.float32(0.02), np.uint8(7)
ws = (rng.random(F, dtype=np.float32) * 0.01 + 0.001).astype(np.float32)
ys, yz = np.float32(0.5), np.uint8(100)
K, N = 24, 40
b = rng.integers(-127, 128, (K, N), dtype=np.int8)
bs, bz = np.float32(0.003), np.int8(0)
zs, zz = np.float32(0.3), np.uint8(128)


nodes = [
    helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys",
                                     "yz", "bias"], ["y"], pads=[1, 1, 1, 1]),
    # The matmul reads y as rows of K = 24 (W = 20 would not split by 4).
    helper.make_node("Reshape", ["y", "shape"], ["ym"]),
    helper.make_node("QLinearMatMul", ["ym", "ys", "yz", "b", "bs", "bz",
                                       "zs", "zz"], ["z"]),
]
inits = [init("xs", xs), init("xz", xz), init("w", w), init("ws", ws),
         init("wz", np.zeros(F, np.int8)), init("ys", ys), init("yz", yz),
         init("bias", bias), init("shape", np.array([-1, K], np.int64)),
         init("b", b), init("bs", bs), init("bz", bz), init("zs", zs),
         init("zz", zz)]
save("int8_dot", nodes, [vi("x", TensorProto.UINT8, [1, C, H, W])],
     [vi("z", TensorProto.UINT8, [F * H * W // K, N])], inits)

# Reference.
xp = np.pad(x.astype(np.int32) - int(xz), ((0, 0), (0, 0), (1, 1), (1, 1)))
acc = np.zeros((F, H, W), np.int64)
for kh in range(3):
    for kw in range(3):
        acc += np.einsum("chw,fc->fhw", xp[0, :, kh:kh + H, kw:kw + W],
                         w[:, :, kh, kw].astype(np.int64))
acc += bias[:, None, None]
mult = (xs * ws / ys).astype(np.float32)
y = np.clip(np.rint(acc.astype(np.float32) * mult[:, None, None]) + int(yz),
            0, 255).astype(np.uint8)
ym = y.reshape(-1, K).astype(np.int64) - int(yz)
acc2 = ym @ b.astype(np.int64)
z = np.clip(np.rint(acc2.astype(np.float32) * np.float32(ys * bs / zs)) +
            int(zz), 0, 255).astype(np.uint8)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "z.npy"), z)
