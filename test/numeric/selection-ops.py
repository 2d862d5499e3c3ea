#!/usr/bin/env python3
"""TopK, OneHot, BitCast and LpPool through aicc, against references.

TopK (largest and smallest, several axes, K up to the axis length, int32
and float) on ties, infinities and NaN against the ONNX reference
evaluator, which sorts NaN as the largest value (ONNX Runtime's NaN order
is unspecified and changes with K); OneHot with negative and out-of-range
indices, BitCast between same-width types and LpPool with p 1, 2 and 3
against ONNX Runtime. Integer outputs and TopK indices must be equal,
floats within rtol 1e-5 (NaN where the reference has NaN).

usage: selection-ops.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
"""
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

from aicc_cli import compile_and_run, first_mismatch, tool_parser

F, I32, I64 = TensorProto.FLOAT, TensorProto.INT32, TensorProto.INT64


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def case(name, node, inputs, outputs, feeds, inits=(), opset=19,
         reference="onnxruntime"):
    graph = helper.make_graph([node], name, inputs, outputs,
                              initializer=list(inits))
    model = helper.make_model(graph, ir_version=9,
                              opset_imports=[helper.make_opsetid("", opset)])
    return name, model, feeds, reference


def cases():
    rng = np.random.default_rng(0)
    out = []
    special = np.array([[1.0, np.nan, 3.0, 3.0, -np.inf, 0.5, np.inf, 3.0],
                        [2.0, np.nan, 2.0, -1.0, np.nan, -1.0, 7.0, -0.0]],
                       np.float32)
    for largest in (1, 0):
        for k in (3, 8):
            out.append(case(
                f"topk_special_l{largest}_k{k}",
                helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=-1,
                                 largest=largest),
                [vi("x", F, [2, 8])], [vi("v", F, [2, k]), vi("i", I64, [2, k])],
                {"x": special},
                [helper.make_tensor("k", I64, [1], [k])], reference="onnx"))
    ints = rng.integers(-3, 3, size=(5, 4, 6)).astype(np.int32)
    out.append(case(
        "topk_int_axis1",
        helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=1),
        [vi("x", I32, [5, 4, 6])], [vi("v", I32, [5, 2, 6]),
                                     vi("i", I64, [5, 2, 6])],
        {"x": ints}, [helper.make_tensor("k", I64, [1], [2])]))
    big = rng.standard_normal((3, 300)).astype(np.float32)
    out.append(case(
        "topk_300",
        helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=1, largest=0),
        [vi("x", F, [3, 300])], [vi("v", F, [3, 10]), vi("i", I64, [3, 10])],
        {"x": big}, [helper.make_tensor("k", I64, [1], [10])]))
    out.append(case(
        "onehot_axis1",
        helper.make_node("OneHot", ["i", "d", "vals"], ["y"], axis=1),
        [vi("i", I64, [2, 3])], [vi("y", F, [2, 5, 3])],
        {"i": np.array([[0, -1, 5], [4, -6, 2]], np.int64)},
        [helper.make_tensor("d", I64, [], [5]),
         helper.make_tensor("vals", F, [2], [-1.0, 2.5])]))
    out.append(case(
        "bitcast_f32_i32",
        helper.make_node("BitCast", ["x"], ["y"], to=I32),
        [vi("x", F, [6])], [vi("y", I32, [6])],
        {"x": np.array([1.0, -0.0, np.inf, np.nan, 3.5e-39, -2.0],
                       np.float32)}, opset=26))
    for p in (1, 2, 3):
        out.append(case(
            f"lppool_p{p}",
            helper.make_node("LpPool", ["x"], ["y"], kernel_shape=[3, 2],
                             strides=[1, 2], pads=[1, 0, 1, 1], p=p),
            [vi("x", F, [1, 2, 5, 6])], [vi("y", F, [1, 2, 5, 3])],
            {"x": rng.standard_normal((1, 2, 5, 6)).astype(np.float32)}))
    return out


def main():
    parser = tool_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    all_cases = cases()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, feeds, reference in all_cases:
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(model, path)
            names = [o.name for o in model.graph.output]
            if reference == "onnx":
                want = ReferenceEvaluator(model).run(None, feeds)
            else:
                sess = ort.InferenceSession(
                    path, providers=["CPUExecutionProvider"])
                want = sess.run(None, feeds)
            outputs, error = compile_and_run(args.aicc, args.aicc_run,
                                             args.target, path, feeds, names,
                                             tmp, name)
            if error is None:
                error = first_mismatch(names, outputs, want, rtol=1e-5,
                                       atol=1e-6, equal_nan=True,
                                       reference="ONNX Runtime")
            if error:
                failures += 1
                print(f"FAIL {name}: {error}")
            else:
                print(f"PASS {name}")
    print(f"{len(all_cases) - failures} of {len(all_cases)} cases match "
          f"ONNX Runtime or the ONNX reference")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
