#!/usr/bin/env python3
"""Einsum equations through aicc, against numpy.einsum.

Each equation (batch, broadcast ellipsis, diagonal, implicit output, three
operands, outer product, full sum...) is one ONNX Einsum node on random
float32 inputs; aicc's output must match numpy.einsum within rtol 1e-5,
atol 1e-5.

usage: einsum-equations.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
"""
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

from aicc_cli import compile_and_run, tool_parser

# equation -> input shapes
CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("bij,bkj->bik", [(2, 3, 4), (2, 5, 4)]),
    ("bhid,bhjd->bhij", [(1, 2, 3, 4), (1, 2, 5, 4)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("...c,cd->...d", [(2, 3, 4), (4, 6)]),
    ("ii", [(4, 4)]),
    ("ii->i", [(4, 4)]),
    ("iji->j", [(3, 2, 3)]),
    ("ij->", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("a,a->a", [(5,), (5,)]),
    ("ijk,ikl,ilm->ijm", [(2, 3, 4), (2, 4, 5), (2, 5, 3)]),
    ("ij,ij,ij->i", [(3, 4), (3, 4), (3, 4)]),
    ("ijk->kji", [(2, 3, 4)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
]


def main():
    parser = tool_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (equation, shapes) in enumerate(CASES):
            names = [f"x{i}" for i in range(len(shapes))]
            inputs = [rng.standard_normal(s).astype(np.float32)
                      for s in shapes]
            want = np.einsum(equation, *inputs)
            node = helper.make_node("Einsum", names, ["y"],
                                    equation=equation, name="einsum")
            graph = helper.make_graph(
                [node], "einsum",
                [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(s))
                 for k, s in zip(names, shapes)],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                               list(want.shape))])
            model = helper.make_model(
                graph, ir_version=8,
                opset_imports=[helper.make_opsetid("", 12)])
            path = os.path.join(tmp, f"e{n}.onnx")
            onnx.save(model, path)
            outputs, error = compile_and_run(
                args.aicc, args.aicc_run, args.target, path,
                dict(zip(names, inputs)), ["y"], tmp, f"e{n}")
            if error is None:
                got = outputs["y"]
                if got.shape != want.shape:
                    error = f"shape {got.shape}, numpy {want.shape}"
                elif not np.allclose(got, want, rtol=1e-5, atol=1e-5):
                    error = f"max error {np.max(np.abs(got - want))}"
            if error:
                failures += 1
                print(f"FAIL {equation} {shapes}: {error}")
            else:
                print(f"PASS {equation} {shapes}")
    print(f"{len(CASES) - failures} of {len(CASES)} equations match "
          f"numpy.einsum")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
