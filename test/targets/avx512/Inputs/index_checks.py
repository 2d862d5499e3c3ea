"""Writes the models and inputs of index-checks.test into argv[1].

ScatterElements (and its legacy alias Scatter) and GatherElements with
run-time indices on an axis of 4: valid ones (negative ones counting from
the end) with NumPy references, and ones outside [-4, 4).
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

from onnx_models import saver, vi

out = sys.argv[1]
save = saver(out)


def npy(name, array):
    np.save(os.path.join(out, name + ".npy"), array)


save("scatter_elements",
     [helper.make_node("ScatterElements", ["x", "i", "u"], ["y"], axis=1,
                       name="the_scatter_elements")],
     [vi("x", TensorProto.FLOAT, [2, 4]), vi("i", TensorProto.INT64, [2, 2]),
      vi("u", TensorProto.FLOAT, [2, 2])],
     [vi("y", TensorProto.FLOAT, [2, 4])])
x = np.arange(8, dtype=np.float32).reshape(2, 4)
u = np.array([[10, 20], [30, 40]], np.float32)
i_ok = np.array([[3, -4], [-1, 1]], np.int64)
ref = x.copy()
for r in range(2):
    for c in range(2):
        ref[r, i_ok[r, c] % 4] = u[r, c]
npy("sx", x)
npy("su", u)
npy("si_ok", i_ok)
npy("scatter_elements_ref", ref)
npy("si_4", np.array([[0, 4], [1, 2]], np.int64))
npy("si_big", np.array([[0, 1 << 40], [1, 2]], np.int64))
npy("si_neg", np.array([[0, 1], [-5, 2]], np.int64))

save("gather_elements",
     [helper.make_node("GatherElements", ["x", "i"], ["y"], axis=1,
                       name="the_gather_elements")],
     [vi("x", TensorProto.FLOAT, [2, 4]), vi("i", TensorProto.INT32, [2, 3])],
     [vi("y", TensorProto.FLOAT, [2, 3])])
gi_ok = np.array([[-1, 0, 2], [-4, 3, -2]], np.int32)
npy("gi_ok", gi_ok)
npy("gather_elements_ref", np.take_along_axis(x, gi_ok % 4, axis=1))
npy("gi_neg", np.array([[0, -5, 1], [0, 1, 2]], np.int32))
