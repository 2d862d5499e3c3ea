"""Writes the models and inputs of runtime-checks.test into argv[1].

Integer Div/Mod with a run-time divisor (i32, i64), Div by a constant zero,
Gather/GatherElements/GatherND with run-time indices, and .npy inputs with
valid and invalid values.
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


for elem, dt in ((TensorProto.INT32, np.int32), (TensorProto.INT64, np.int64)):
    bits = np.iinfo(dt).bits
    for op in ("Div", "Mod"):
        save(f"{op.lower()}{bits}",
             [helper.make_node(op, ["a", "b"], ["y"], name=f"the_{op.lower()}")],
             [vi("a", elem, [4]), vi("b", elem, [4])], [vi("y", elem, [4])])
    lo = np.iinfo(dt).min
    npy(f"a{bits}", np.array([7, -7, lo, 5], dt))
    npy(f"b{bits}", np.array([2, 2, -1, -3], dt))
    npy(f"zero{bits}", np.array([2, 0, -1, 3], dt))
    # Expected: C-style truncation, INT_MIN / -1 wraps, INT_MIN % -1 is 0.
    npy(f"div{bits}_ref", np.array([3, -3, lo, -1], dt))
    npy(f"mod{bits}_ref", np.array([1, 1, 0, -1], dt))  # sign of the divisor

save("div_const_zero",
     [helper.make_node("Div", ["a", "z"], ["y"], name="div_by_zero")],
     [vi("a", TensorProto.INT32, [4])], [vi("y", TensorProto.INT32, [4])],
     [helper.make_tensor("z", TensorProto.INT32, [4], [1, 2, 0, 4])])

# Gather on an axis of 4: indices -4..3 are valid.
save("gather",
     [helper.make_node("Gather", ["x", "i"], ["y"], axis=1, name="the_gather")],
     [vi("x", TensorProto.FLOAT, [2, 4, 3]), vi("i", TensorProto.INT64, [3])],
     [vi("y", TensorProto.FLOAT, [2, 3, 3])])
x = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
npy("gx", x)
npy("gi_ok", np.array([3, -4, 1], np.int64))
npy("gather_ref", x[:, [3, 0, 1], :])
npy("gi_4", np.array([0, 4, 1], np.int64))
npy("gi_big", np.array([0, 1 << 40, 1], np.int64))
npy("gi_neg", np.array([-5, 0, 1], np.int64))

save("gather_elements",
     [helper.make_node("GatherElements", ["x", "i"], ["y"], axis=0,
                       name="the_gather_elements")],
     [vi("x", TensorProto.FLOAT, [3, 2]), vi("i", TensorProto.INT32, [2, 2])],
     [vi("y", TensorProto.FLOAT, [2, 2])])
npy("ex", np.arange(6, dtype=np.float32).reshape(3, 2))
npy("ei_bad", np.array([[0, 1], [3, 2]], np.int32))

save("gather_nd",
     [helper.make_node("GatherND", ["x", "i"], ["y"], name="the_gather_nd")],
     [vi("x", TensorProto.FLOAT, [2, 2]), vi("i", TensorProto.INT64, [2, 2])],
     [vi("y", TensorProto.FLOAT, [2])])
npy("nx", np.arange(4, dtype=np.float32).reshape(2, 2))
npy("ni_ok", np.array([[0, 1], [-1, -2]], np.int64))
npy("gather_nd_ref", np.array([1, 2], np.float32))
npy("ni_bad", np.array([[0, 1], [2, 0]], np.int64))

save("scatter_nd",
     [helper.make_node("ScatterND", ["x", "i", "u"], ["y"], name="the_scatter_nd")],
     [vi("x", TensorProto.FLOAT, [4, 2]), vi("i", TensorProto.INT64, [2, 1]),
      vi("u", TensorProto.FLOAT, [2, 2])],
     [vi("y", TensorProto.FLOAT, [4, 2])])
sx = np.zeros((4, 2), np.float32)
su = np.array([[1, 2], [3, 4]], np.float32)
npy("sx", sx)
npy("su", su)
npy("si_ok", np.array([[1], [-1]], np.int64))
ref = sx.copy()
ref[1] = su[0]
ref[3] = su[1]
npy("scatter_nd_ref", ref)
npy("si_bad", np.array([[4], [0]], np.int64))
npy("si_neg", np.array([[0], [-5]], np.int64))
