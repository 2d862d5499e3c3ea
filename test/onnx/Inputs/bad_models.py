"""Writes small ONNX models that aicc must reject with a clear error, for
bad-models.test (issue 14, items 8, 9 and 13).

Usage: bad_models.py <output directory>

  dup_nodes.onnx       nodes A and B both write 'y'
  dup_unnamed.onnx     two unnamed nodes write 'y'
  redefined_input.onnx node A writes the graph input 'x'
  dup_input.onnx       graph input 'x' listed twice
  dup_output.onnx      graph output 'y' listed twice
  dup_init.onnx        initializer 'w' given twice
  reshape_wrap.onnx    Reshape to [7, 7905747460161236407, 2, 3] (the
                       product wraps to 6 in int64)
  reshape_2p40.onnx    Reshape to [2^40, 2^40]
  cos_bytes.onnx       ConstantOfShape [2^62, 4]: 2^64 elements
  cos_f32_bytes.onnx   ConstantOfShape [2^61, 2] of f32: 2^62 elements,
                       2^64 bytes
  tile_wrap.onnx       Tile [2, 3] by [2^62, 1]
  input_wrap.onnx      graph input of shape [2^31, 2^31] (2^64 bytes of f32)
  softmax_axis.onnx    Softmax axis 7 on a rank-2 input
  complex_input.onnx   a complex64 graph input
  split_scalar.onnx    Split of a rank-0 input (found by aicc-fuzz-onnx: the
                       rule read past the empty shape)
  multinomial_neg.onnx Multinomial with sample_size -3 (was tensor<2x-3xi32>)
  good.onnx            the positive case: the same graph as dup_nodes with
                       distinct names
"""
import os
import sys

import onnx
from onnx import TensorProto as T, helper as h


def save(out, name, nodes, inputs, outputs, inits=()):
    graph = h.make_graph(nodes, name, inputs, outputs, list(inits))
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())


def main():
    out = sys.argv[1]
    x = h.make_tensor_value_info("x", T.FLOAT, [2, 3])
    y = h.make_tensor_value_info("y", T.FLOAT, [2, 3])
    any_y = h.make_tensor_value_info("y", T.FLOAT, None)
    ints = lambda name, values: h.make_tensor(name, T.INT64, [len(values)],
                                              values)
    save(out, "dup_nodes", [h.make_node("Relu", ["x"], ["y"], name="A"),
                            h.make_node("Neg", ["x"], ["y"], name="B")],
         [x], [y])
    save(out, "dup_unnamed", [h.make_node("Relu", ["x"], ["y"]),
                              h.make_node("Neg", ["x"], ["y"])], [x], [y])
    save(out, "redefined_input", [h.make_node("Relu", ["x"], ["x"], name="A"),
                                  h.make_node("Neg", ["x"], ["y"], name="B")],
         [x], [y])
    save(out, "dup_input", [h.make_node("Relu", ["x"], ["y"], name="A")],
         [x, x], [y])
    save(out, "dup_output", [h.make_node("Relu", ["x"], ["y"], name="A")],
         [x], [y, y])
    w = h.make_tensor("w", T.FLOAT, [2, 3], [1] * 6)
    save(out, "dup_init", [h.make_node("Add", ["x", "w"], ["y"], name="A")],
         [x], [y], [w, w])
    save(out, "reshape_wrap", [h.make_node("Reshape", ["x", "s"], ["y"],
                                           name="R")],
         [x], [any_y], [ints("s", [7, 7905747460161236407, 2, 3])])
    save(out, "reshape_2p40", [h.make_node("Reshape", ["x", "s"], ["y"],
                                           name="R")],
         [x], [any_y], [ints("s", [2**40, 2**40])])
    save(out, "cos_bytes", [h.make_node("ConstantOfShape", ["s"], ["y"],
                                        name="C")],
         [], [any_y], [ints("s", [2**62, 4])])
    save(out, "cos_f32_bytes", [h.make_node("ConstantOfShape", ["s"], ["y"],
                                            name="C")],
         [], [any_y], [ints("s", [2**61, 2])])
    save(out, "tile_wrap", [h.make_node("Tile", ["x", "r"], ["y"], name="T")],
         [x], [any_y], [ints("r", [2**62, 1])])
    save(out, "input_wrap", [h.make_node("Relu", ["x"], ["y"], name="A")],
         [h.make_tensor_value_info("x", T.FLOAT, [2**31, 2**31])], [any_y])
    save(out, "softmax_axis", [h.make_node("Softmax", ["x"], ["y"], name="S",
                                           axis=7)], [x], [y])
    save(out, "complex_input", [h.make_node("Identity", ["c"], ["y"],
                                            name="I")],
         [h.make_tensor_value_info("c", T.COMPLEX64, [2, 3])],
         [h.make_tensor_value_info("y", T.COMPLEX64, [2, 3])])
    save(out, "split_scalar",
         [h.make_node("Split", ["s"], ["a", "b"], name="P", axis=0)],
         [h.make_tensor_value_info("s", T.FLOAT, [])],
         [h.make_tensor_value_info("a", T.FLOAT, None),
          h.make_tensor_value_info("b", T.FLOAT, None)])
    save(out, "multinomial_neg",
         [h.make_node("Multinomial", ["x"], ["y"], name="M", sample_size=-3)],
         [x], [h.make_tensor_value_info("y", T.INT32, None)])
    save(out, "good", [h.make_node("Relu", ["x"], ["t"], name="A"),
                       h.make_node("Neg", ["t"], ["y"], name="B")], [x], [y])


if __name__ == "__main__":
    main()
