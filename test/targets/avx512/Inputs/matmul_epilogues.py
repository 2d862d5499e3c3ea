"""Writes matmul_bias_gelu.onnx (a [1, S, K] x [K, N] MatMul, its bias Add
and an erf GELU, as BERT's fc1: the MatMul lowered to a [S, K] x [K, N]
matmul expanded to [1, S, N] before the Add), a random input and the output
computed with NumPy."""
import math
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(12)
S, K, N = 40, 256, 96
x = rng.standard_normal((1, S, K)).astype(np.float32)
w = (rng.standard_normal((K, N)) / np.sqrt(K)).astype(np.float32)
b = (0.1 * rng.standard_normal(N)).astype(np.float32)
consts = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"),
          numpy_helper.from_array(np.array(math.sqrt(2), np.float32), "sqrt2"),
          numpy_helper.from_array(np.array(1, np.float32), "one"),
          numpy_helper.from_array(np.array(0.5, np.float32), "half")]
save("matmul_bias_gelu",
     [helper.make_node("MatMul", ["x", "w"], ["m"], name="fc1/MatMul"),
      helper.make_node("Add", ["m", "b"], ["a"], name="fc1/Add"),
      helper.make_node("Div", ["a", "sqrt2"], ["d"], name="gelu/Div"),
      helper.make_node("Erf", ["d"], ["e"], name="gelu/Erf"),
      helper.make_node("Add", ["e", "one"], ["p"], name="gelu/Add"),
      helper.make_node("Mul", ["a", "p"], ["q"], name="gelu/Mul"),
      helper.make_node("Mul", ["q", "half"], ["y"], name="gelu/Mul_1")],
     [vi("x", TensorProto.FLOAT, [1, S, K])],
     [vi("y", TensorProto.FLOAT, [1, S, N])],
     consts)
a = x[0].astype(np.float64) @ w.astype(np.float64) + b
erf = np.vectorize(math.erf)
y = a * (1 + erf(a / math.sqrt(2))) / 2
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y[None].astype(np.float32))
