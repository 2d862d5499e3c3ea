#!/usr/bin/env python3
"""Writes the aicc import-bug reproducers in this folder (see README.md).

    .venv/bin/python test/models/repro/make_repros.py

Each model is a few onnx.helper lines; the matching *.onnxtxt lit tests (marked
XFAIL until aicc is fixed) check the result ONNX semantics call for.
"""
import os

import onnx
from onnx import TensorProto as T
from onnx import helper as h

HERE = os.path.dirname(os.path.abspath(__file__))


def const(name, vals, dims=None, dt=T.INT64):
    dims = [len(vals)] if dims is None else dims
    return h.make_node("Constant", [], [name], value=h.make_tensor(name, dt, dims, vals))


def save(name, nodes, inputs, outputs, opset=17, check=True):
    g = h.make_graph(nodes, name.replace("-", "_"), inputs, outputs)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)],
                     ir_version=10 if opset > 21 else 8)
    if check:
        onnx.checker.check_model(m)
    onnx.save(m, os.path.join(HERE, name + ".onnx"))


vi = h.make_tensor_value_info

# 1. Mod is not constant-folded, so a shape computed through it stays unknown.
#    y = Expand(x, Concat(Mod(Shape(x)[1:2], 2), Shape(x)[1:2])) = Expand(x, [1, 3]).
save("mod-shape-fold",
     [h.make_node("Shape", ["x"], ["s"], start=1, end=2),
      const("two", [2]),
      h.make_node("Mod", ["s", "two"], ["d"]),
      h.make_node("Concat", ["d", "s"], ["shape"], axis=0),
      h.make_node("Expand", ["x", "shape"], ["y"])],
     [vi("x", T.FLOAT, [1, 3])], [vi("y", T.FLOAT, [1, 3])])

# 2. BitCast bool -> uint8: both are 8 bits wide in ONNX; same shape out.
save("bitcast-bool-uint8",
     [h.make_node("BitCast", ["x"], ["y"], to=T.UINT8)],
     [vi("x", T.BOOL, [4])], [vi("y", T.UINT8, [4])], opset=26)

# 3. DFT-17 (opsets 17..19) has an 'axis' attribute (DFT-20 made it an input).
save("dft17-axis-attr",
     [h.make_node("DFT", ["x"], ["y"], axis=2)],
     [vi("x", T.FLOAT, [1, 10, 10, 1])], [vi("y", T.FLOAT, [1, 10, 10, 2])])

# 4. DFT-20 with a runtime axis: without onesided/dft_length the output shape
#    does not depend on the axis: input dims with the last dim set to 2.
save("dft20-runtime-axis",
     [h.make_node("DFT", ["x", "", "axis"], ["y"])],
     [vi("x", T.FLOAT, [1, 10, 10, 1]), vi("axis", T.INT64, [])],
     [vi("y", T.FLOAT, [1, 10, 10, 2])], opset=20)

# 5. ConstantOfShape with a negative dim: ONNX requires all values >= 0; aicc
#    folds it into a constant of the invalid type tensor<-3x2xf32>.
save("constantofshape-negative-dim",
     [const("s", [-3, 2]),
      h.make_node("ConstantOfShape", ["s"], ["y"],
                  value=h.make_tensor("v", T.FLOAT, [1], [1.0]))],
     [], [vi("y", T.FLOAT, ["d0", "d1"])], check=False)

# 6. Integer division by zero in a shape computation is folded to 0 (a
#    tensor<0xf32> result) instead of being diagnosed.
save("div-by-zero-shape",
     [const("n", [6]), const("z", [0]),
      h.make_node("Div", ["n", "z"], ["q"]),
      h.make_node("ConstantOfShape", ["q"], ["y"])],
     [], [vi("y", T.FLOAT, ["d0"])], check=False)

# 7. Gather with a constant out-of-range index is accepted silently.
save("gather-constant-index-oob",
     [const("d", [1, 2, 3]), const("i", [5], []),
      h.make_node("Gather", ["d", "i"], ["y"])],
     [], [vi("y", T.INT64, [])], check=False)
