"""Writes two [1, S, K] x [K, N] MatMuls with a bias Add, each with a random
input and its output computed with NumPy (float64):

- panels.onnx: S = 128, K = 256, N = 384: 16 row tiles of 8 rows read each
  of the 8 weight panels of 48 columns (a task per panel);
- odd.onnx: S = 104, K = 200, N = 384: 13 row tiles (K is no multiple of
  13);
- one_tile.onnx: S = 8, K = 256, N = 96: one row tile per panel.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(21)
for name, (S, K, N) in {"panels": (128, 256, 384),
                        "odd": (104, 200, 384),
                        "one_tile": (8, 256, 96)}.items():
    x = rng.standard_normal((1, S, K)).astype(np.float32)
    w = (rng.standard_normal((K, N)) / np.sqrt(K)).astype(np.float32)
    b = (0.1 * rng.standard_normal(N)).astype(np.float32)
    save(name,
         [helper.make_node("MatMul", ["x", "w"], ["m"], name="fc/MatMul"),
          helper.make_node("Add", ["m", "b"], ["y"], name="fc/Add")],
         [vi("x", TensorProto.FLOAT, [1, S, K])],
         [vi("y", TensorProto.FLOAT, [1, S, N])],
         [init("w", w), init("b", b)])
    y = x[0].astype(np.float64) @ w.astype(np.float64) + b
    np.save(os.path.join(out, name + ".x.npy"), x)
    np.save(os.path.join(out, name + ".y.npy"), y[None].astype(np.float32))
