#!/usr/bin/env python3
"""LayerNormalization fused with its neighbours, through aicc, bit for bit
against ONNX Runtime.

aicc lowers an f32 LayerNormalization over rows of 8 or more elements to
MLAS's arithmetic (lane-split sums, LowerReduction.cpp) so that quantized
models match ONNX Runtime exactly; on the CPU targets the fusion policy puts
it, the residual Add and bias Add before it into one row kernel
(FusionPolicy.cpp, scheduleRowKernel in targets/avx512/HalideSchedule.cpp).
Each case is a residual Add and a LayerNormalization (with and without a
bias, the Add's result also returned or not) on row lengths with and
without a tail (n mod 8) and row counts that do and do not divide into the
kernel's tasks; the outputs must equal ONNX Runtime's bit for bit, and
`aicc --report=fusion` must show one kernel (rows without a tail: the
tail's slice is a kernel of its own today).

usage: layer-norm-rows.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
                          [--target avx512]
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from aicc_cli import run_artifact, tool_parser  # noqa: E402

# (name, leading dims, row length, LayerNormalization bias, Add returned,
#  one kernel expected)
CASES = [
    ("gpt2_rows", [1, 128], 768, True, False, True),
    ("bert_rows_add_out", [1, 128], 768, True, True, True),
    ("tail_rows", [2, 37], 100, True, False, False),
    ("no_bias", [3, 5], 64, False, False, True),
    ("short_rows", [1, 19], 8, True, True, True),
    ("tail_under_8", [1, 9], 13, True, False, False),
]


def model(lead, n, with_bias, add_out, rng):
    shape = lead + [n]
    inits = [
        numpy_helper.from_array(rng.standard_normal(n).astype(np.float32), "scale"),
    ]
    ln_inputs = ["sum", "scale"]
    if with_bias:
        inits.append(numpy_helper.from_array(
            rng.standard_normal(n).astype(np.float32), "beta"))
        ln_inputs.append("beta")
    # No bias Add before the residual Add: aicc's elementwise kernels let
    # Halide reassociate (x + bias) + residual, which is not bit-exact (on
    # main too).
    nodes = [
        helper.make_node("Add", ["x", "residual"], ["sum"], name="Add_0"),
        helper.make_node("LayerNormalization", ln_inputs, ["y"],
                         name="LayerNormalization_1", axis=-1, epsilon=1e-5),
    ]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)]
    if add_out:
        outputs.append(helper.make_tensor_value_info("sum", TensorProto.FLOAT, shape))
    graph = helper.make_graph(
        nodes, "layer_norm_rows",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape),
         helper.make_tensor_value_info("residual", TensorProto.FLOAT, shape)],
        outputs, initializer=inits)
    return helper.make_model(graph, ir_version=9,
                             opset_imports=[helper.make_opsetid("", 17)])


def main():
    parser = tool_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, lead, n, with_bias, add_out, fused in CASES:
            m = model(lead, n, with_bias, add_out, rng)
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(m, path)
            shape = lead + [n]
            # Rows with a large mean and a small spread, where the order of
            # summation shows in the last bits.
            feeds = {
                "x": (rng.standard_normal(shape) * 3 + 40).astype(np.float32),
                "residual": rng.standard_normal(shape).astype(np.float32),
            }
            names = [o.name for o in m.graph.output]
            # ONNX Runtime's own LayerNormalization kernel: its optimizer
            # would fuse the Adds and the LayerNorm into a
            # SkipLayerNormalization, which sums in another order.
            options = ort.SessionOptions()
            options.graph_optimization_level = \
                ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            want = ort.InferenceSession(
                path, options, providers=["CPUExecutionProvider"]).run(names, feeds)
            artifact = os.path.join(tmp, name + ".aicc")
            r = subprocess.run([args.aicc, path, "--target=" + args.target,
                                "-o", artifact, "--report=fusion"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {name}: aicc rc={r.returncode}: {r.stderr.strip()}")
                failures += 1
                continue
            report = [l for l in r.stderr.splitlines() if l.startswith("fusion of")]
            one_kernel = not fused or (
                len(report) == 1 and " 1 dispatches after fusion" in report[0])
            got, run = run_artifact(args.aicc_run, artifact, feeds, names, tmp, name)
            if got is None:
                print(f"FAIL {name}: aicc-run rc={run.returncode}: {run.stderr.strip()}")
                failures += 1
                continue
            bad = [o for o, w in zip(names, want) if not np.array_equal(got[o], w)]
            if bad or not one_kernel:
                failures += 1
                why = []
                for o, w in zip(names, want):
                    if o in bad:
                        diff = got[o] != w
                        why.append(f"{o}: {int(diff.sum())} of {w.size} elements "
                                   f"differ (max {np.abs(got[o] - w).max():g})")
                if not one_kernel:
                    why.append("not one kernel: " + " / ".join(report))
                print(f"FAIL {name} ({'x'.join(map(str, shape))}): " + "; ".join(why))
            else:
                print(f"PASS {name} ({'x'.join(map(str, shape))}): bit-exact"
                      + (", one kernel" if fused else ""))
    print(f"{len(CASES) - failures} of {len(CASES)} LayerNorm row kernels match "
          f"ONNX Runtime bit for bit")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
