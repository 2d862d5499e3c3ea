#!/usr/bin/env python3
"""Checks aicc-graph-value-symbols' programs numerically.

For each case (a one-node ONNX model whose shape operands are graph inputs,
and their values), compiles it with `aicc --emit=graph`, evaluates the value
symbols' IntExpr programs (docs/Pipeline.md "Value-dependent shapes") on the
input values with the evaluator below, evaluates `aicc.result_dims` and
`aicc.value_assumptions`, and compares the dims with the output shapes of
the ONNX reference evaluator. Invalid inputs must fail a range (a validity
symbol) or an assumption. With --node-dir, ONNX node tests (model.onnx,
test_data_set_0) are checked the same way against their expected outputs.
Prints one line per case and exits 1 on any mismatch.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

CONST, SYM, ADD, SUB, MUL, FLOORDIV, CEILDIV, MOD, MIN, MAX, NEG = range(11)
LOAD, FMULFLOOR, FRANGE, EQ, LT, SELECT = range(11, 17)
I64_MIN, I64_MAX = -(2**63), 2**63 - 1


class EvalError(Exception):
    pass


def check(v):
    if v < I64_MIN or v > I64_MAX:
        raise EvalError("int64 overflow")
    return v


def evaluate(code, syms, inputs):
    """The runtime's semantics (contract D)."""
    stack, pc = [], 0
    while pc < len(code):
        op = code[pc]
        pc += 1
        if op == CONST:
            stack.append(code[pc]); pc += 1
        elif op == SYM:
            stack.append(syms[code[pc]]); pc += 1
        elif op == LOAD:
            k, j = code[pc], code[pc + 1]; pc += 2
            stack.append(int(inputs[k].reshape(-1)[j]))
        elif op == FMULFLOOR:
            k, j = code[pc], code[pc + 1]; pc += 2
            a = stack.pop()
            f = float(a) * float(inputs[k].reshape(-1)[j])
            if not np.isfinite(f):
                raise EvalError("not finite")
            stack.append(check(int(np.floor(f))))
        elif op == FRANGE:
            k0, k1, k2 = code[pc:pc + 3]; pc += 3
            s, l, d = (float(inputs[k].reshape(-1)[0]) for k in (k0, k1, k2))
            if d == 0:
                raise EvalError("delta 0")
            stack.append(max(int(np.ceil((l - s) / d)), 0))
        elif op == NEG:
            stack.append(check(-stack.pop()))
        elif op == SELECT:
            f, t, c = stack.pop(), stack.pop(), stack.pop()
            stack.append(t if c != 0 else f)
        else:
            b, a = stack.pop(), stack.pop()
            if op in (FLOORDIV, CEILDIV, MOD) and b <= 0:
                raise EvalError("divisor <= 0")
            stack.append(check({
                ADD: lambda: a + b, SUB: lambda: a - b, MUL: lambda: a * b,
                FLOORDIV: lambda: a // b, CEILDIV: lambda: -((-a) // b),
                MOD: lambda: a % b, MIN: lambda: min(a, b),
                MAX: lambda: max(a, b), EQ: lambda: int(a == b),
                LT: lambda: int(a < b)}[op]()))
    assert len(stack) == 1, code
    return stack[0]


def affine(expr, syms):
    py = re.sub(r"\bs(\d+)\b", r"S[\1]", expr)
    py = py.replace("floordiv", "//").replace("mod", "%")
    assert "ceildiv" not in py, expr
    return eval(py, {"S": syms})


MAP = r"affine_map<\(\)(?:\[[^\]]*\])? -> \(.*?\)>"


def parse_maps(text):
    """affine_map<()[s0, ...] -> (a, b)> -> ['a', 'b'] (top-level commas)."""
    body = text[text.index("-> (") + 4:text.rindex(")")]
    out, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            out.append(cur.strip()); cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur.strip())
    return out


def analyze(ir, inputs):
    """Evaluates the value symbols; returns (result dims per op, error)."""
    # Inline the attribute aliases (#map = affine_map<...>).
    aliases = dict(re.findall(r"^(#map\d*) = (affine_map<.*>)$", ir, re.M))
    ir = re.sub(r"#map\d*\b(?! =)", lambda m: aliases.get(m.group(0), m.group(0)), ir)
    m = re.search(r"aicc\.value_symbols = \[(.*?)\]\s*[,}]", ir, re.S)
    if not m:
        return None, "no aicc.value_symbols"
    entries = re.findall(
        r'\{def = array<i64(?:: ([^>]*))?>, name = "([^"]*)", '
        r'range = array<i64: (-?\d+), (-?\d+)>, what = "([^"]*)"\}', m.group(1))
    syms = []  # no dim symbols in these models
    for code, name, lo, hi, what in entries:
        code = [int(x) for x in code.split(",")] if code else []
        try:
            v = evaluate(code, syms, inputs)
        except EvalError as e:
            return None, f"{what}: {e}"
        if not int(lo) <= v <= int(hi):
            return None, f"{what} is {v}, outside {lo}..{hi}"
        syms.append(v)
    ops = []
    for line in ir.splitlines():
        if "aicc.result_dims" not in line:
            continue
        maps = re.search(r"aicc\.result_dims = \[(.*?)\]\s*[,}]", line).group(1)
        dims = [[affine(e, syms) for e in parse_maps(x) if e]
                for x in re.findall(MAP, maps)]
        eqs = re.search(r"aicc\.value_assumptions = \[(.*?)\]\s*[,}]", line)
        for x in re.findall(MAP, eqs.group(1) if eqs else ""):
            lhs, rhs = (affine(e, syms) for e in parse_maps(x))
            if lhs != rhs:
                return None, f"assumption {x} fails: {lhs} != {rhs}"
        ops.append(dims)
    return ops, None


def compile_graph(aicc, path):
    p = subprocess.run([aicc, path, "--emit=graph"], capture_output=True,
                       text=True)
    if p.returncode:
        raise RuntimeError(p.stderr.strip().splitlines()[0] if p.stderr else
                           "aicc failed")
    return p.stdout


def make_model(op, inputs, attrs, n_out=1, opset=19, float_inputs=()):
    vis = []
    for name, arr in inputs.items():
        vis.append(helper.make_tensor_value_info(
            name, helper.np_dtype_to_tensor_dtype(arr.dtype), arr.shape))
    outs = [helper.make_tensor_value_info(f"y{i}", TensorProto.UNDEFINED, None)
            for i in range(n_out)]
    names = [n if n in inputs else "" for n in attrs.pop("_inputs")]
    node = helper.make_node(op, names, [f"y{i}" for i in range(n_out)],
                            name="n", **attrs)
    g = helper.make_graph([node], "g", vis, outs)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def f32(*shape):
    return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) + 1


def i64(*v):
    return np.array(v, dtype=np.int64)


BIG = I64_MAX
# (name, op, inputs in order (None = omitted), attrs, outputs, valid)
CASES = [
    ("reshape", "Reshape", {"x": f32(2, 3, 4), "s": i64(4, 6)}, {}, 1, True),
    ("reshape_neg", "Reshape", {"x": f32(2, 3, 4), "s": i64(2, -1, 2)}, {}, 1, True),
    ("reshape_zero", "Reshape", {"x": f32(2, 3, 4), "s": i64(2, 0, 4, 1)}, {}, 1, True),
    ("reshape_zero_neg", "Reshape", {"x": f32(2, 3, 4), "s": i64(0, -1)}, {}, 1, True),
    ("reshape_allowzero", "Reshape", {"x": np.zeros((0, 3, 4), np.float32), "s": i64(3, 4, 0)}, {"allowzero": 1}, 1, True),
    ("reshape_two_neg", "Reshape", {"x": f32(2, 3, 4), "s": i64(-1, -1)}, {}, 1, False),
    ("reshape_bad_count", "Reshape", {"x": f32(2, 3, 4), "s": i64(5, 5)}, {}, 1, False),
    ("reshape_indivisible", "Reshape", {"x": f32(2, 3, 4), "s": i64(5, -1)}, {}, 1, False),
    ("squeeze", "Squeeze", {"x": f32(1, 3, 1, 5), "a": i64(0, -2)}, {}, 1, True),
    ("squeeze_not_one", "Squeeze", {"x": f32(1, 3, 1, 5), "a": i64(1)}, {}, 1, False),
    ("unsqueeze", "Unsqueeze", {"x": f32(3, 4, 5), "a": i64(5, 0, 2)}, {}, 1, True),
    ("unsqueeze_neg", "Unsqueeze", {"x": f32(3, 4), "a": i64(-1)}, {}, 1, True),
    ("unsqueeze_repeat", "Unsqueeze", {"x": f32(3, 4), "a": i64(1, 1)}, {}, 1, False),
    ("expand", "Expand", {"x": f32(3, 1), "s": i64(2, 1, 6)}, {}, 1, True),
    ("expand_keep", "Expand", {"x": f32(3, 1), "s": i64(3, 4)}, {}, 1, True),
    ("expand_bad", "Expand", {"x": f32(3, 1), "s": i64(2, 4)}, {}, 1, False),
    ("constantofshape", "ConstantOfShape", {"s": i64(4, 3, 2)}, {}, 1, True),
    ("constantofshape_zero", "ConstantOfShape", {"s": i64(0, 3)}, {}, 1, True),
    ("tile", "Tile", {"x": f32(2, 3), "r": i64(3, 2)}, {}, 1, True),
    ("range_int", "Range", {"a": np.array(10, np.int64), "b": np.array(1, np.int64), "c": np.array(-3, np.int64)}, {}, 1, True),
    ("range_int_empty", "Range", {"a": np.array(1, np.int32), "b": np.array(5, np.int32), "c": np.array(-2, np.int32)}, {}, 1, True),
    ("range_float", "Range", {"a": np.array(1.0, np.float32), "b": np.array(5.5, np.float32), "c": np.array(0.5, np.float32)}, {}, 1, True),
    ("range_zero_delta", "Range", {"a": np.array(1, np.int64), "b": np.array(5, np.int64), "c": np.array(0, np.int64)}, {}, 1, False),
    ("split", "Split", {"x": f32(2, 10), "s": i64(3, 0, 7)}, {"axis": 1}, 3, True),
    ("split_bad_sum", "Split", {"x": f32(2, 10), "s": i64(3, 3)}, {"axis": -1}, 2, False),
    ("slice", "Slice", {"x": f32(20, 10, 5), "st": i64(0, 0), "en": i64(3, 10), "ax": i64(0, 1), "sp": i64(1, 1)}, {}, 1, True),
    ("slice_neg_steps", "Slice", {"x": f32(20, 10, 5), "st": i64(20, 10, 4), "en": i64(0, 0, 1), "ax": i64(0, 1, 2), "sp": i64(-1, -3, -2)}, {}, 1, True),
    ("slice_extremes", "Slice", {"x": f32(20, 10, 5), "st": i64(1, -BIG - 1), "en": i64(BIG, BIG), "ax": i64(1, -1), "sp": i64(1, 2)}, {}, 1, True),
    ("slice_neg_extremes", "Slice", {"x": f32(20, 10, 5), "st": i64(BIG), "en": i64(-BIG - 1), "ax": i64(1), "sp": i64(-1)}, {}, 1, True),
    ("slice_out_of_bounds", "Slice", {"x": f32(20, 10, 5), "st": i64(1000), "en": i64(1000), "ax": i64(1), "sp": i64(1)}, {}, 1, True),
    ("slice_default", "Slice", {"x": f32(20, 10, 5), "st": i64(0, -7), "en": i64(-2, -1)}, {}, 1, True),
    ("slice_zero_step", "Slice", {"x": f32(20, 10, 5), "st": i64(0), "en": i64(3), "ax": i64(0), "sp": i64(0)}, {}, 1, False),
    ("slice_repeated_axis", "Slice", {"x": f32(20, 10, 5), "st": i64(0, 0), "en": i64(3, 3), "ax": i64(0, -3)}, {}, 1, False),
    ("pad", "Pad", {"x": f32(3, 4), "p": i64(1, 0, 2, 3)}, {"mode": "constant"}, 1, True),
    # (The reference evaluator rejects negative pads: expected given.)
    ("pad_negative", "Pad", {"x": f32(3, 4), "p": i64(-1, 0, 0, -2)}, {}, 1, True, [[2, 2]]),
    ("pad_axes", "Pad", {"x": f32(3, 4, 5), "p": i64(1, 2, 3, 4), "v": None, "ax": i64(-1, 0)}, {}, 1, True),
    ("reduce_sum_keep", "ReduceSum", {"x": f32(3, 4, 5), "a": i64(1)}, {"keepdims": 1}, 1, True),
    ("reduce_sum_neg", "ReduceSum", {"x": f32(3, 4, 5), "a": i64(-2, 0)}, {"keepdims": 0}, 1, True),
    ("reduce_mean_drop", "ReduceMean", {"x": f32(3, 4, 5), "a": i64(2, 0)}, {"keepdims": 0}, 1, True),
    ("reduce_max_keep", "ReduceMax", {"x": f32(3, 4, 5), "a": i64(0, 2)}, {"keepdims": 1}, 1, True),
    ("reduce_l2_drop", "ReduceL2", {"x": f32(3, 4, 5), "a": i64(1)}, {"keepdims": 0}, 1, True),
    ("reduce_logsumexp", "ReduceLogSumExp", {"x": f32(3, 4, 5), "a": i64(-1)}, {}, 1, True),
    ("reduce_bad_axis", "ReduceSum", {"x": f32(3, 4, 5), "a": i64(3)}, {}, 1, False),
    ("topk", "TopK", {"x": f32(3, 4), "k": i64(2)}, {"axis": 1}, 2, True),
    ("topk_too_big", "TopK", {"x": f32(3, 4), "k": i64(5)}, {}, 2, False),
    ("onehot", "OneHot", {"i": i64(0, 2, 1), "d": np.array(4.0, np.float32), "v": np.array([0, 1], np.float32)}, {"axis": 0}, 1, True),
    ("onehot_int", "OneHot", {"i": i64(0, 2, 1), "d": np.array([5], np.int64), "v": np.array([0, 1], np.float32)}, {}, 1, True),
    ("resize_scales", "Resize", {"x": f32(1, 1, 2, 3), "r": None, "sc": np.array([1, 1, 2.5, 1.7], np.float32)}, {"mode": "nearest"}, 1, True),
    ("resize_sizes", "Resize", {"x": f32(1, 1, 4, 4), "r": None, "sc": None, "sz": i64(1, 1, 3, 7)}, {"mode": "nearest"}, 1, True),
    ("resize_not_larger", "Resize", {"x": f32(1, 1, 4, 4), "r": None, "sc": None, "sz": i64(7, 8)}, {"mode": "nearest", "axes": [2, 3], "keep_aspect_ratio_policy": "not_larger"}, 1, True),
    ("resize_not_smaller", "Resize", {"x": f32(1, 1, 4, 6), "r": None, "sc": None, "sz": i64(7, 8)}, {"mode": "nearest", "axes": [2, 3], "keep_aspect_ratio_policy": "not_smaller"}, 1, True),
    # (The reference evaluator rejects negative axes here: expected given,
    # ratio max(7/4, 8/6) = 1.75, round_half_up(1.75 * 6) = 11.)
    ("resize_negative_axes", "Resize", {"x": f32(1, 1, 4, 6), "r": None, "sc": None, "sz": i64(7, 8)}, {"mode": "nearest", "axes": [-2, -1], "keep_aspect_ratio_policy": "not_smaller"}, 1, True, [[1, 1, 7, 11]]),
]


def run_case(aicc, tmp, name, op, inputs, attrs, n_out, valid, want=None):
    attrs = dict(attrs)
    attrs["_inputs"] = list(inputs)
    feeds = {k: v for k, v in inputs.items() if v is not None}
    model = make_model(op, feeds, attrs, n_out)
    path = os.path.join(tmp, name + ".onnx")
    onnx.save(model, path)
    ir = compile_graph(aicc, path)
    ops, err = analyze(ir, list(feeds.values()))
    if not valid:
        return err is not None, f"rejected: {err}"
    if err:
        return False, f"unexpected error: {err}"
    expected = want or [list(o.shape) for o in
                        ReferenceEvaluator(model).run(None, feeds)]
    if len(ops) != 1 or ops[0] != expected:
        return False, f"dims {ops} expected {expected}"
    return True, f"{expected}"


def run_node_test(aicc, directory):
    model = onnx.load(os.path.join(directory, "model.onnx"))
    data = os.path.join(directory, "test_data_set_0")
    inputs = [numpy_helper.to_array(onnx.load_tensor(p))
              for p in sorted(glob.glob(os.path.join(data, "input_*.pb")),
                              key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))]
    outputs = [numpy_helper.to_array(onnx.load_tensor(p))
               for p in sorted(glob.glob(os.path.join(data, "output_*.pb")),
                               key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))]
    ir = compile_graph(aicc, os.path.join(directory, "model.onnx"))
    if "aicc.value_symbols" not in ir:
        # Static right away (empty axes): the function's result types.
        m = re.search(r"func\.func @main\(.*?\)\s*->\s*\(?([^{]*?)\)?\s*(attributes|\{)", ir, re.S)
        types = re.findall(r"tensor<([^>]*)>", m.group(1))
        got = [[int(d) for d in t.split("x")[:-1]] for t in types]
        want = [list(o.shape) for o in outputs]
        return got == want, f"static {got} expected {want}"
    ops, err = analyze(ir, inputs)
    if err:
        return False, f"unexpected error: {err}"
    want = [list(o.shape) for o in outputs]
    got = ops[-1] if ops else None
    return got == want, f"{got} expected {want}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aicc", required=True)
    ap.add_argument("--node-dir", help="ONNX node tests directory")
    ap.add_argument("--nodes", nargs="*", default=[])
    ap.add_argument("--filter", default="")
    args = ap.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        if args.node_dir:
            for name in args.nodes:
                d = os.path.join(args.node_dir, name)
                if not os.path.isdir(d):
                    print(f"skip {name}: not present")
                    continue
                try:
                    ok, msg = run_node_test(args.aicc, d)
                except Exception as e:  # noqa: BLE001
                    ok, msg = False, f"{type(e).__name__}: {e}"
                failures += not ok
                print(f"{'ok' if ok else 'FAIL'} {name}: {msg}")
        else:
            for case in CASES:
                if args.filter not in case[0]:
                    continue
                try:
                    ok, msg = run_case(args.aicc, tmp, *case)
                except Exception as e:  # noqa: BLE001
                    ok, msg = False, f"{type(e).__name__}: {e}"
                failures += not ok
                print(f"{'ok' if ok else 'FAIL'} {case[0]}: {msg}")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
