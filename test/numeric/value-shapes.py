#!/usr/bin/env python3
"""Value-dependent shapes: small models whose output shapes depend on the
VALUES of graph inputs (a Reshape's `shape`, ReduceSum's `axes`, Slice's
`starts`/`ends`/`axes`/`steps`, Pad's `pads`, Resize's `sizes`/`scales`,
TopK's `K`, Tile's `repeats`, Range), each compiled ONCE by aicc without
freezing any input, then run with several values against ONNX Runtime.

Each model must:
- match ONNX Runtime (shape, dtype; floats within 1e-5) for every case,
  including empty results, negative axes and indices, clamped slices and
  negative steps;
- reject values ONNX forbids (a Reshape to the wrong element count, K
  larger than the axis) with a non-zero exit and an error naming the node.

usage: value-shapes.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
                       [--target avx512] [--keep DIR] [--filter REGEX]
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from aicc_cli import run_artifact, tool_parser  # noqa: E402

F, I64 = TensorProto.FLOAT, TensorProto.INT64


def model(name, nodes, inputs, outputs, opset=18):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info(n, t, s)
                      for n, t, s in inputs],
        [helper.make_tensor_value_info(n, t, None) for n, t in outputs])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8

    return m


def i64(*v):
    return np.array(v, np.int64)


def x_of(*shape):
    rng = np.random.default_rng(len(shape))
    return rng.standard_normal(shape).astype(np.float32)


# (name, model, good cases [feeds], bad cases [(feeds, text in the error)])
def cases():
    yield ("reshape-reduce",
           model("reshape_reduce",
                 [helper.make_node("Reshape", ["x", "shape"], ["r"],
                                   name="reshape"),
                  helper.make_node("ReduceSum", ["r", "axes"], ["y"],
                                   name="reduce", keepdims=1)],
                 [("x", F, [2, 3, 4]), ("shape", I64, [3]),
                  ("axes", I64, [1])], [("y", F)]),
           [{"x": x_of(2, 3, 4), "shape": i64(4, 3, 2), "axes": i64(0)},
            {"x": x_of(2, 3, 4), "shape": i64(2, -1, 3), "axes": i64(-1)},
            {"x": x_of(2, 3, 4), "shape": i64(24, 1, 1), "axes": i64(2)},
            {"x": x_of(2, 3, 4), "shape": i64(0, 12, 1), "axes": i64(1)}],
           [({"x": x_of(2, 3, 4), "shape": i64(5, 5, 5), "axes": i64(0)},
             "reshape"),
            ({"x": x_of(2, 3, 4), "shape": i64(4, 3, 2), "axes": i64(3)},
             "reduce")])
    yield ("reduce-keepdims0",
           model("reduce_keepdims0",
                 [helper.make_node("ReduceMax", ["x", "axes"], ["y"],
                                   name="reduce", keepdims=0)],
                 [("x", F, [3, 4, 5]), ("axes", I64, [2])], [("y", F)]),
           [{"x": x_of(3, 4, 5), "axes": i64(0, 2)},
            {"x": x_of(3, 4, 5), "axes": i64(-1, 1)},
            {"x": x_of(3, 4, 5), "axes": i64(1, 0)}], [])
    yield ("slice",
           model("slice",
                 [helper.make_node("Slice",
                                   ["x", "starts", "ends", "axes", "steps"],
                                   ["y"], name="slice")],
                 [("x", F, [6, 8]), ("starts", I64, [2]), ("ends", I64, [2]),
                  ("axes", I64, [2]), ("steps", I64, [2])], [("y", F)]),
           [{"x": x_of(6, 8), "starts": i64(1, 0), "ends": i64(4, 8),
             "axes": i64(0, 1), "steps": i64(1, 2)},
            {"x": x_of(6, 8), "starts": i64(-1, 7), "ends": i64(-7, -100),
             "axes": i64(0, -1), "steps": i64(-2, -3)},
            {"x": x_of(6, 8), "starts": i64(2, 0), "ends": i64(1000, 3),
             "axes": i64(1, 0), "steps": i64(1, 1)},
            {"x": x_of(6, 8), "starts": i64(3, 0), "ends": i64(3, 8),
             "axes": i64(0, 1), "steps": i64(1, 1)}], [])
    yield ("pad",
           model("pad",
                 [helper.make_node("Pad", ["x", "pads", "value"], ["y"],
                                   name="pad", mode="constant")],
                 [("x", F, [3, 4]), ("pads", I64, [4]), ("value", F, [])],
                 [("y", F)]),
           [{"x": x_of(3, 4), "pads": i64(1, 0, 2, 3),
             "value": np.array(1.5, np.float32)},
            {"x": x_of(3, 4), "pads": i64(0, -1, 0, -2),
             "value": np.array(0, np.float32)},
            {"x": x_of(3, 4), "pads": i64(0, 0, 0, 0),
             "value": np.array(0, np.float32)}], [])
    yield ("resize-sizes",
           model("resize_sizes",
                 [helper.make_node("Resize", ["x", "", "", "sizes"], ["y"],
                                   name="resize", mode="nearest")],
                 [("x", F, [1, 1, 4, 4]), ("sizes", I64, [4])], [("y", F)]),
           [{"x": x_of(1, 1, 4, 4), "sizes": i64(1, 1, 8, 8)},
            {"x": x_of(1, 1, 4, 4), "sizes": i64(1, 1, 3, 5)},
            {"x": x_of(1, 1, 4, 4), "sizes": i64(1, 1, 1, 1)}], [])
    yield ("resize-scales",
           model("resize_scales",
                 [helper.make_node("Resize", ["x", "", "scales"], ["y"],
                                   name="resize", mode="linear")],
                 [("x", F, [1, 2, 4, 4]), ("scales", F, [4])], [("y", F)]),
           [{"x": x_of(1, 2, 4, 4),
             "scales": np.array([1, 1, 2, 2], np.float32)},
            {"x": x_of(1, 2, 4, 4),
             "scales": np.array([1, 1, 0.5, 1.5], np.float32)}], [])
    yield ("topk",
           model("topk",
                 [helper.make_node("TopK", ["x", "k"], ["v", "i"],
                                   name="topk")],
                 [("x", F, [3, 10]), ("k", I64, [1])],
                 [("v", F), ("i", I64)]),
           [{"x": x_of(3, 10), "k": i64(1)}, {"x": x_of(3, 10), "k": i64(4)},
            {"x": x_of(3, 10), "k": i64(10)}],
           [({"x": x_of(3, 10), "k": i64(11)}, "topk")])
    yield ("tile-range",
           model("tile_range",
                 [helper.make_node("Tile", ["x", "repeats"], ["y"],
                                   name="tile"),
                  helper.make_node("Range", ["start", "limit", "delta"], ["r"],
                                   name="range")],
                 [("x", F, [2, 3]), ("repeats", I64, [2]),
                  ("start", I64, []), ("limit", I64, []),
                  ("delta", I64, [])], [("y", F), ("r", I64)]),
           [{"x": x_of(2, 3), "repeats": i64(1, 1), "start": np.array(0, np.int64),
             "limit": np.array(5, np.int64), "delta": np.array(1, np.int64)},
            {"x": x_of(2, 3), "repeats": i64(3, 2), "start": np.array(10, np.int64),
             "limit": np.array(-3, np.int64), "delta": np.array(-4, np.int64)},
            {"x": x_of(2, 3), "repeats": i64(2, 0), "start": np.array(3, np.int64),
             "limit": np.array(3, np.int64), "delta": np.array(2, np.int64)}], [])


def main():
    ap = tool_parser(__doc__.split("\n\n")[0])
    ap.add_argument("--keep", help="keep the files in this directory")
    ap.add_argument("--filter", default="", help="only models matching this")
    args = ap.parse_args()
    # Removed when the script exits, unless --keep names a directory.
    tmp = None if args.keep else tempfile.TemporaryDirectory(
        prefix="aicc-value-shapes-")
    work = args.keep or tmp.name
    os.makedirs(work, exist_ok=True)
    failures = 0
    for name, m, good, bad in cases():
        if not re.search(args.filter, name):
            continue
        path = os.path.join(work, name + ".onnx")
        onnx.save(m, path)
        artifact = os.path.join(work, name + ".aicc")
        r = subprocess.run([args.aicc, path, "--target=" + args.target, "-o",
                            artifact], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {name}: compile rc={r.returncode}: "
                  f"{r.stderr.strip()}")
            failures += 1
            continue
        session = ort.InferenceSession(path,
                                       providers=["CPUExecutionProvider"])
        outputs = [o.name for o in session.get_outputs()]
        for i, feeds in enumerate(good):
            values = {k: v.tolist() for k, v in feeds.items() if k != "x"}
            want = session.run(outputs, feeds)
            got, r = run_artifact(args.aicc_run, artifact, feeds, outputs, work,
                                  f"{name}.{i}")
            if got is None:
                print(f"FAIL {name} {values}: aicc-run rc={r.returncode}: "
                      f"{r.stderr.strip()}")
                failures += 1
                continue
            for o, w in zip(outputs, want):
                g = got[o]
                if g.shape != w.shape or g.dtype != w.dtype or not np.allclose(
                        g, w, rtol=1e-5, atol=1e-5):
                    print(f"FAIL {name} {values} {o}: got {g.dtype}{g.shape},"
                          f" ONNX Runtime {w.dtype}{w.shape}")
                    failures += 1
                    break
            else:
                print(f"ok {name} {values} -> "
                      f"{', '.join(str(list(w.shape)) for w in want)}")
        for i, (feeds, needle) in enumerate(bad):
            values = {k: v.tolist() for k, v in feeds.items() if k != "x"}
            got, r = run_artifact(args.aicc_run, artifact, feeds, outputs, work,
                                  f"{name}.bad{i}")
            if got is not None or needle not in r.stderr:
                print(f"FAIL {name} {values}: expected an error naming "
                      f"'{needle}', got rc={r.returncode} "
                      f"{r.stderr.strip()!r}")
                failures += 1
            else:
                print(f"ok {name} {values} rejected: "
                      f"{r.stderr.strip().splitlines()[-1]}")
    print("value-shapes:", "FAILED" if failures else "passed",
          f"({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
