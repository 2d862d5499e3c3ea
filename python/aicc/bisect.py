"""aicc-bisect: find the first ONNX node whose aicc result leaves tolerance.

    aicc-bisect model.onnx --input x=@x.npy [--reference onnxruntime]

The model is rewritten so that every intermediate tensor of the main graph is
also a graph output, compiled with aicc and run; the reference (ONNX Runtime,
or the ONNX reference evaluator) runs the same rewritten model on the same
inputs. The tool then walks the nodes in topological order and prints the
first one whose output differs by more than the tolerance, with the error of
each of its inputs, so the fault is narrowed to one node: its inputs agree,
its output does not.

Exposing every tensor changes what aicc fuses (a tensor that leaves the
graph is materialized), so a fault in a fused kernel may move or vanish;
`--chunk N` exposes N tensors per compile instead of all at once, which
keeps more fusion and bounds memory on big models.

Exit status: 0 when every tensor matches, 1 when a divergent node is found,
2 on an error (bad arguments, a model that does not compile or run).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

_USAGE_EXAMPLES = """\
examples:
  aicc-bisect model.onnx --input x=@x.npy
  aicc-bisect model.onnx --input x=random --dim batch=1 --reference reference
  aicc-bisect model.onnx --input x=@x.npy --chunk 200 --tol 1e-3
"""


class BisectError(Exception):
    """A problem that ends the run with exit status 2."""


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="aicc-bisect",
        description="Compile an ONNX model with aicc with every intermediate "
        "tensor exposed, run it and a reference on the same inputs, and print "
        "the first node (in topological order) whose output leaves tolerance.",
        epilog=_USAGE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="the ONNX model (.onnx)")
    parser.add_argument("--input", action="append", default=[],
                        metavar="NAME=@FILE.npy|NAME=random",
                        help="a graph input (repeatable); inputs not named "
                        "are random (see --seed)")
    parser.add_argument("--dim", action="append", default=[],
                        metavar="SYMBOL=N", help="value of a symbolic dim")
    parser.add_argument("--input-shape", action="append", default=[],
                        metavar="NAME:D0xD1...", help="static shape of an input")
    parser.add_argument("--target", default="avx512",
                        help="aicc target (default avx512)")
    parser.add_argument("-O", dest="opt_level", type=int, default=3,
                        choices=range(4), help="aicc optimization level")
    parser.add_argument("--reference", default="onnxruntime",
                        choices=("onnxruntime", "reference"),
                        help="what aicc is compared with: ONNX Runtime "
                        "(default) or onnx.reference.ReferenceEvaluator")
    parser.add_argument("--reference-model", metavar="FILE",
                        help="run the reference on this model instead (same "
                        "tensor names), e.g. a known-good variant")
    parser.add_argument("--tol", type=float, default=1e-4,
                        help="largest |aicc - reference| allowed, relative to "
                        "the tensor's scale max(|reference|, 1) (default 1e-4)")
    parser.add_argument("--chunk", type=int, default=0, metavar="N",
                        help="expose at most N tensors per compile (0: all)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of random inputs (default 0)")
    parser.add_argument("--threads", type=int, default=0,
                        help="aicc runtime threads (0: all cores)")
    parser.add_argument("--all", action="store_true",
                        help="print every compared tensor, not only the first "
                        "divergent node")
    return parser.parse_args(argv)


def _parse_pairs(values: Sequence[str], what: str, sep: str = "=") -> Dict[str, str]:
    pairs: Dict[str, str] = {}
    for value in values:
        name, found, rest = value.partition(sep)
        if not found or not name:
            raise BisectError(f"{what} expects NAME{sep}VALUE, got '{value}'")
        if name in pairs and pairs[name] != rest:
            raise BisectError(f"{what} gives '{name}' two values, "
                              f"'{pairs[name]}' and '{rest}'")
        pairs[name] = rest
    return pairs


def _load_model(path: str):
    import onnx
    if not os.path.isfile(path):
        raise BisectError(f"no model file at '{path}'")
    try:
        return onnx.load(path)
    except Exception as error:  # a malformed protobuf or external data
        raise BisectError(f"cannot read '{path}' as an ONNX model: {error}")


def _exposable_tensors(model) -> List[Tuple[str, int]]:
    """Outputs of the main graph's nodes, in topological order, with their
    element types (from ONNX shape inference); tensors whose type is unknown
    or not a tensor are left out."""
    import onnx
    try:
        inferred = onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception:  # inference is a help here, not a requirement
        inferred = model
    types: Dict[str, int] = {}
    for info in list(inferred.graph.value_info) + list(inferred.graph.output):
        if info.type.HasField("tensor_type") and info.type.tensor_type.elem_type:
            types[info.name] = info.type.tensor_type.elem_type
    outputs = {o.name for o in model.graph.output}
    tensors = []
    for node in model.graph.node:
        for name in node.output:
            if name and (name in types or name in outputs):
                tensors.append((name, types.get(name, 0)))
    return tensors


def _with_outputs(model, tensors: Sequence[Tuple[str, int]]):
    """A copy of `model` whose graph outputs are `tensors` (name, elem type)."""
    import onnx
    exposed = onnx.ModelProto()
    exposed.CopyFrom(model)
    declared = {o.name: o for o in model.graph.output}
    del exposed.graph.output[:]
    for name, elem_type in tensors:
        if name in declared:
            exposed.graph.output.append(declared[name])
        else:
            exposed.graph.output.append(
                onnx.helper.make_tensor_value_info(name, elem_type, None))
    return exposed


def _graph_inputs(model) -> List[str]:
    initializers = {i.name for i in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


def _make_inputs(module, specs: Dict[str, str], seed: int) -> Dict[str, np.ndarray]:
    names = [t.name for t in module.inputs]
    unknown = sorted(set(specs) - set(names))
    if unknown:
        raise BisectError(f"--input names {', '.join(repr(n) for n in unknown)}, "
                          f"not a graph input (inputs: {', '.join(names)})")
    feed = module.random_inputs(seed)
    for info in module.inputs:
        spec = specs.get(info.name)
        if spec is None or spec == "random":
            continue
        if not spec.startswith("@"):
            raise BisectError(f"--input {info.name}= expects @FILE.npy or random, "
                              f"got '{spec}'")
        try:
            value = np.load(spec[1:], allow_pickle=False)
        except Exception as error:
            raise BisectError(f"cannot read '{spec[1:]}' as .npy: {error}")
        if tuple(value.shape) != tuple(info.shape) or value.dtype != info.dtype:
            raise BisectError(
                f"input '{info.name}' from '{spec[1:]}' is {value.dtype}"
                f"{list(value.shape)}; the model wants {np.dtype(info.dtype)}"
                f"{list(info.shape)}")
        feed[info.name] = value
    return feed


def _run_aicc(model, args, dims, shapes, specs, feed=None):
    import aicc
    try:
        artifact = aicc.compile(model.SerializeToString(), target=args.target,
                                dims=dims, input_shapes=shapes,
                                opt_level=args.opt_level)
    except aicc.CompileError as error:
        raise BisectError(f"the model with its tensors exposed does not "
                          f"compile:\n{error}")
    module = aicc.load(artifact, threads=args.threads)
    if feed is None:
        feed = _make_inputs(module, specs, args.seed)
    return module.run(feed), feed


def _run_reference(model, feed: Dict[str, np.ndarray], kind: str) -> Dict[str, np.ndarray]:
    if kind == "reference":
        from onnx.reference import ReferenceEvaluator
        evaluator = ReferenceEvaluator(model)
        names = [o.name for o in model.graph.output]
        return dict(zip(names, evaluator.run(None, feed)))
    import onnxruntime as ort
    options = ort.SessionOptions()
    # The reference must compute what the graph says, node by node.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, feed)))


class Comparison:
    """How far aicc's value of one tensor is from the reference's."""

    def __init__(self, name: str, got: Optional[np.ndarray],
                 want: Optional[np.ndarray], tol: float):
        self.name = name
        self.tol = tol
        self.error = math.inf
        self.scale = 1.0
        self.detail = ""
        if got is None or want is None:
            self.detail = "missing from " + ("aicc" if got is None else "the reference")
            return
        got, want = np.asarray(got), np.asarray(want)
        if got.shape != want.shape:
            self.detail = f"shape {list(got.shape)} vs reference {list(want.shape)}"
            return
        if got.size == 0:
            self.error = 0.0
            return
        if want.dtype.kind in "fc" or got.dtype.kind in "fc":
            g, w = got.astype(np.float64), want.astype(np.float64)
            both_nan = np.isnan(g) & np.isnan(w)
            same_inf = np.isinf(w) & (g == w)
            diff = np.where(both_nan | same_inf, 0.0, np.abs(g - w))
            diff = np.where(np.isnan(diff), np.inf, diff)
            finite = w[np.isfinite(w)]
            self.scale = max(float(np.max(np.abs(finite))) if finite.size else 0.0, 1.0)
            self.error = float(np.max(diff)) / self.scale
            worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
            self.detail = (f"max |aicc - ref| {float(np.max(diff)):.3g} at "
                           f"{list(map(int, worst))} (aicc {g[worst]:.6g}, ref "
                           f"{w[worst]:.6g}), scale {self.scale:.3g}")
        else:
            mismatched = int(np.count_nonzero(got != want))
            self.error = 0.0 if mismatched == 0 else math.inf
            self.detail = f"{mismatched} of {got.size} elements differ"

    @property
    def ok(self) -> bool:
        return self.error <= self.tol

    def __str__(self) -> str:
        rel = "inf" if math.isinf(self.error) else f"{self.error:.3g}"
        return f"'{self.name}': error {rel} of scale ({self.detail})"


def bisect(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    reference_model = _load_model(args.reference_model) if args.reference_model else model
    dims = {k: int(v) for k, v in _parse_pairs(args.dim, "--dim").items()}
    shapes = {k: [int(d) for d in v.split("x")]
              for k, v in _parse_pairs(args.input_shape, "--input-shape", ":").items()}
    specs = _parse_pairs(args.input, "--input")

    tensors = _exposable_tensors(model)
    if not tensors:
        raise BisectError("the model's main graph has no node outputs to compare")
    chunk = args.chunk if args.chunk > 0 else len(tensors)
    ours: Dict[str, np.ndarray] = {}
    theirs: Dict[str, np.ndarray] = {}
    feed = None
    for start in range(0, len(tensors), chunk):
        part = tensors[start:start + chunk]
        print(f"aicc-bisect: compiling and running {len(part)} exposed tensors "
              f"({start + len(part)} of {len(tensors)})", file=sys.stderr)
        got, feed = _run_aicc(_with_outputs(model, part), args, dims, shapes,
                              specs, feed)
        ours.update(got)
        try:
            theirs.update(_run_reference(_with_outputs(reference_model, part),
                                         feed, args.reference))
        except Exception as error:
            raise BisectError(f"the reference ({args.reference}) failed: {error}")

    graph_inputs = set(_graph_inputs(model))
    constants = {i.name for i in model.graph.initializer}
    compared: Dict[str, Comparison] = {}
    for node in model.graph.node:
        results = [Comparison(name, ours.get(name), theirs.get(name), args.tol)
                   for name in node.output if name and (name in ours or name in theirs)]
        for result in results:
            compared[result.name] = result
            if args.all:
                print(f"  {'ok  ' if result.ok else 'FAIL'} {node.op_type} "
                      f"'{node.name}' {result}")
        bad = [r for r in results if not r.ok]
        if not bad:
            continue
        print(f"first divergent node: '{node.name or '?'}' ({node.op_type}"
              f"{'' if not node.domain else ', domain ' + node.domain})")
        for result in bad:
            print(f"  output {result}")
        for name in node.input:
            if not name:
                continue
            if name in graph_inputs:
                print(f"  input '{name}': graph input (same values on both sides)")
            elif name in constants:
                print(f"  input '{name}': constant")
            elif name in compared:
                print(f"  input {compared[name]}")
            else:
                print(f"  input '{name}': not compared")
        return 1
    print(f"aicc-bisect: all {len(compared)} compared tensors match "
          f"{args.reference} within {args.tol:g} of their scale")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return bisect(args)
    except BisectError as error:
        print(f"aicc-bisect: error: {error}", file=sys.stderr)
        return 2
    except ImportError as error:
        print(f"aicc-bisect: error: {error} (pip install -r "
              "scripts/requirements.txt)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
