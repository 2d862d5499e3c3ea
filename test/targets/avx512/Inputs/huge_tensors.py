"""Writes the models of huge-tensors.test into argv[1]: tensors of 2^40
elements and more (Expand, a graph input, ConstantOfShape), a Pad by 2^30
a tensor just over Halide's 2^31 - 1 elements, and a Relu on 1 GiB that
compiles (run under a smaller memory limit)."""
import sys

from onnx import TensorProto, helper

from onnx_models import saver, vi

out = sys.argv[1]
save = saver(out)
F = TensorProto.FLOAT


def i64(name, values):
    return helper.make_tensor(name, TensorProto.INT64, [len(values)], values)


save("expand", [helper.make_node("Expand", ["x", "s"], ["y"], name="big_expand")],
     [vi("x", F, [1])], [vi("y", F, None)], [i64("s", [1 << 20, 1 << 20])])
save("input", [helper.make_node("Relu", ["x"], ["y"], name="relu_of_huge")],
     [vi("x", F, [1 << 20, 1 << 20])], [vi("y", F, [1 << 20, 1 << 20])])
save("constant_of_shape",
     [helper.make_node("ConstantOfShape", ["s"], ["c"], name="big_cos"),
      helper.make_node("Add", ["x", "c"], ["y"], name="add_big")],
     [vi("x", F, [1])], [vi("y", F, None)], [i64("s", [1 << 30, 1 << 30])])
save("pad", [helper.make_node("Pad", ["x", "p"], ["y"], name="big_pad")],
     [vi("x", F, [2, 3])], [vi("y", F, None)], [i64("p", [0, 1 << 30, 0, 1 << 30])])
save("overflow", [helper.make_node("Expand", ["x", "s"], ["y"], name="wrapping_expand")],
     [vi("x", F, [1])], [vi("y", F, None)],
     [i64("s", [1 << 40, 1 << 40, 1 << 40])])
save("gib", [helper.make_node("Relu", ["x"], ["y"], name="relu_gib")],
     [vi("x", F, [1 << 28])], [vi("y", F, [1 << 28])])
