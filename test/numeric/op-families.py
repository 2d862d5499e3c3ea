#!/usr/bin/env python3
"""GridSample, DFT, TfIdfVectorizer, training-mode Dropout, RotaryEmbedding,
CausalConvWithState, LinearAttention, Det, TensorScatter,
MeanVarianceNormalization, LRN, EyeLike and RoiAlign through aicc, against the ONNX
reference evaluator.

The cases cover what the ONNX node tests leave out: GridSample cubic with
border and reflection padding, 3-D reflection and float64; DFT with a
cropping and a padding dft_length, onesided forward, irfft and a real
inverse; TfIdfVectorizer TF/IDF/TFIDF with weights, 1-D input and
a pool with skipped lengths; Dropout with another seed over more than 312
elements (NumPy's MT19937 regenerates its state after 624 draws); GQA
LinearAttention over 6 steps with per-head decay and past state; a
CausalConvWithState of 5 taps with state and SiLU; RotaryEmbedding of a
rank-3 input with a partial rotary dim, both layouts; Det of 4 x 4 and
5 x 5 matrices; circular TensorScatter wrapping around; MVN over other
axes; LRN of an even size; EyeLike with a negative k; RoiAlign half_pixel avg/max with\nsampling_ratio 3 and rois partly outside. Floats must match
within rtol 1e-4, atol 1e-5; integer and bool outputs exactly.

usage: op-families.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
"""
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

from aicc_cli import compile_and_run, first_mismatch, tool_parser

F, D, I32, I64, B = (TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.INT32,
                     TensorProto.INT64, TensorProto.BOOL)


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def case(name, node, inputs, outputs, feeds, inits=(), opset=22):
    graph = helper.make_graph([node], name, inputs, outputs,
                              initializer=list(inits))
    model = helper.make_model(graph, ir_version=10,
                              opset_imports=[helper.make_opsetid("", opset)])
    return name, model, feeds


def grid_sample_cases(rng):
    out = []
    x = rng.standard_normal((1, 2, 4, 5)).astype(np.float32)
    # Coordinates well outside [-1, 1] exercise the padding modes.
    grid = rng.uniform(-1.8, 1.8, (1, 3, 6, 2)).astype(np.float32)
    for mode in ("cubic", "linear", "nearest"):
        for padding in ("border", "reflection", "zeros"):
            for align in (0, 1):
                out.append(case(
                    f"gridsample_{mode}_{padding}_ac{align}",
                    helper.make_node("GridSample", ["x", "g"], ["y"],
                                     mode=mode, padding_mode=padding,
                                     align_corners=align),
                    [vi("x", F, x.shape), vi("g", F, grid.shape)],
                    [vi("y", F, [1, 2, 3, 6])], {"x": x, "g": grid}))
    x3 = rng.standard_normal((1, 1, 3, 4, 5)).astype(np.float32)
    g3 = rng.uniform(-1.5, 1.5, (1, 2, 3, 2, 3)).astype(np.float32)
    out.append(case(
        "gridsample_3d_linear_reflection",
        helper.make_node("GridSample", ["x", "g"], ["y"], mode="linear",
                         padding_mode="reflection"),
        [vi("x", F, x3.shape), vi("g", F, g3.shape)],
        [vi("y", F, [1, 1, 2, 3, 2])], {"x": x3, "g": g3}))
    xd = rng.standard_normal((2, 1, 3, 3))
    gd = rng.uniform(-1.2, 1.2, (2, 2, 2, 2))
    out.append(case(
        "gridsample_f64_cubic_zeros",
        helper.make_node("GridSample", ["x", "g"], ["y"], mode="cubic"),
        [vi("x", D, xd.shape), vi("g", D, gd.shape)],
        [vi("y", D, [2, 1, 2, 2])], {"x": xd, "g": gd}))
    return out


def dft_cases(rng):
    out = []
    real = rng.standard_normal((2, 6, 1)).astype(np.float32)
    cplx = rng.standard_normal((2, 6, 2)).astype(np.float32)
    length = lambda n: helper.make_tensor("n", I64, [], [n])
    axis = helper.make_tensor("a", I64, [], [1])
    for n in (4, 9):
        out.append(case(
            f"dft_length_{n}",
            helper.make_node("DFT", ["x", "n", "a"], ["y"]),
            [vi("x", F, real.shape)], [vi("y", F, [2, n, 2])], {"x": real},
            [length(n), axis], opset=20))
    out.append(case(
        "dft_onesided",
        helper.make_node("DFT", ["x", "", "a"], ["y"], onesided=1),
        [vi("x", F, real.shape)], [vi("y", F, [2, 4, 2])], {"x": real},
        [axis], opset=20))
    out.append(case(
        "dft_inverse_complex",
        helper.make_node("DFT", ["x", "", "a"], ["y"], inverse=1),
        [vi("x", F, cplx.shape)], [vi("y", F, [2, 6, 2])], {"x": cplx},
        [axis], opset=20))
    half = rng.standard_normal((2, 4, 2)).astype(np.float32)
    for n in (6, 7):
        out.append(case(
            f"dft_irfft_{n}",
            helper.make_node("DFT", ["x", "n", "a"], ["y"], inverse=1,
                             onesided=1),
            [vi("x", F, half.shape)], [vi("y", F, [2, n, 1])], {"x": half},
            [length(n), axis], opset=20))
    return out


def tfidf_cases(rng):
    out = []
    x = rng.integers(0, 6, size=(3, 9)).astype(np.int64)
    pool = dict(ngram_counts=[0, 3, 7], ngram_indexes=[4, 0, 2, 1, 3, 5, 6],
                # Unigrams 1, 2, 3; bigrams (4, 5), (1, 2); trigram (2, 3, 1).
                pool_int64s=[1, 2, 3, 4, 5, 1, 2, 2, 3, 1])
    weights = [0.5, 1.5, 2.0, 3.0, 0.25, 4.0, 1.0]
    # (The reference evaluator fails IDF and TFIDF without weights.)
    for mode in ("TF", "IDF", "TFIDF"):
        for w in ((None, weights) if mode == "TF" else (weights,)):
            extra = {"weights": w} if w else {}
            out.append(case(
                f"tfidf_{mode.lower()}{'_w' if w else ''}",
                helper.make_node("TfIdfVectorizer", ["x"], ["y"], mode=mode,
                                 min_gram_length=1, max_gram_length=3,
                                 max_skip_count=2, **pool, **extra),
                [vi("x", I64, x.shape)], [vi("y", F, [3, 7])], {"x": x},
                opset=9))
    x1 = rng.integers(0, 6, size=(11,)).astype(np.int32)
    out.append(case(
        "tfidf_1d_bigrams_only",
        helper.make_node("TfIdfVectorizer", ["x"], ["y"], mode="TF",
                         min_gram_length=2, max_gram_length=2,
                         max_skip_count=3, **pool),
        [vi("x", I32, x1.shape)], [vi("y", F, [7])], {"x": x1}, opset=9))
    return out


def dropout_cases(rng):
    x = rng.standard_normal((20, 30)).astype(np.float32)
    out = []
    for training in (True, False):
        out.append(case(
            f"dropout_seed7_training{int(training)}",
            helper.make_node("Dropout", ["x", "r", "t"], ["y", "m"], seed=7),
            [vi("x", F, x.shape), vi("r", F, []), vi("t", B, [])],
            [vi("y", F, x.shape), vi("m", B, x.shape)],
            {"x": x, "r": np.array(0.3, np.float32),
             "t": np.array(training)}))
    return out


def sequence_cases(rng):
    out = []
    q = rng.standard_normal((1, 6, 16)).astype(np.float32)
    k = rng.standard_normal((1, 6, 8)).astype(np.float32) * 0.5
    v = rng.standard_normal((1, 6, 8)).astype(np.float32)
    decay = -rng.uniform(0.0, 0.5, (1, 6, 2)).astype(np.float32)
    beta = rng.uniform(0.2, 0.9, (1, 6, 1)).astype(np.float32)
    past = rng.standard_normal((1, 2, 4, 4)).astype(np.float32)
    out.append(case(
        "linear_attention_gqa_per_head_decay",
        helper.make_node("LinearAttention",
                         ["q", "k", "v", "p", "d", "b"], ["y", "s"],
                         q_num_heads=4, kv_num_heads=2),
        [vi("q", F, q.shape), vi("k", F, k.shape), vi("v", F, v.shape),
         vi("p", F, past.shape), vi("d", F, decay.shape),
         vi("b", F, beta.shape)],
        [vi("y", F, [1, 6, 16]), vi("s", F, [1, 2, 4, 4])],
        {"q": q, "k": k, "v": v, "p": past, "d": decay, "b": beta},
        opset=27))
    x = rng.standard_normal((2, 3, 7)).astype(np.float32)
    w = rng.standard_normal((3, 1, 5)).astype(np.float32)
    state = rng.standard_normal((2, 3, 4)).astype(np.float32)
    out.append(case(
        "causal_conv_k5_with_state",
        helper.make_node("CausalConvWithState", ["x", "w", "", "p"],
                         ["y", "s"], activation="silu"),
        [vi("x", F, x.shape), vi("w", F, w.shape), vi("p", F, state.shape)],
        [vi("y", F, x.shape), vi("s", F, state.shape)],
        {"x": x, "w": w, "p": state}, opset=27))
    xr = rng.standard_normal((2, 5, 24)).astype(np.float32)
    cos = rng.standard_normal((8, 2)).astype(np.float32)
    sin = rng.standard_normal((8, 2)).astype(np.float32)
    pos = rng.integers(0, 8, size=(2, 5)).astype(np.int64)
    for interleaved in (0, 1):
        out.append(case(
            f"rotary_rank3_partial_i{interleaved}",
            helper.make_node("RotaryEmbedding", ["x", "c", "s", "p"], ["y"],
                             interleaved=interleaved, num_heads=3,
                             rotary_embedding_dim=4),
            [vi("x", F, xr.shape), vi("c", F, cos.shape),
             vi("s", F, sin.shape), vi("p", I64, pos.shape)],
            [vi("y", F, xr.shape)],
            {"x": xr, "c": cos, "s": sin, "p": pos}, opset=23))
    return out


def misc_cases(rng):
    out = []
    for n in (4, 5):
        x = rng.standard_normal((3, n, n)).astype(np.float32)
        out.append(case(f"det_{n}x{n}", helper.make_node("Det", ["x"], ["y"]),
                        [vi("x", F, x.shape)], [vi("y", F, [3])], {"x": x}))
    past = rng.standard_normal((2, 5, 3)).astype(np.float32)
    upd = rng.standard_normal((2, 3, 3)).astype(np.float32)
    out.append(case(
        "tensor_scatter_circular_wrap",
        helper.make_node("TensorScatter", ["p", "u", "w"], ["y"],
                         mode="circular"),
        [vi("p", F, past.shape), vi("u", F, upd.shape), vi("w", I64, [2])],
        [vi("y", F, past.shape)],
        {"p": past, "u": upd, "w": np.array([4, 1], np.int64)}, opset=24))
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    out.append(case(
        "mvn_axes_1_3",
        helper.make_node("MeanVarianceNormalization", ["x"], ["y"],
                         axes=[1, 3]),
        [vi("x", F, x.shape)], [vi("y", F, x.shape)], {"x": x}, opset=13))
    # The reference evaluator's LRN loops over dim 0 for the channels: N = C
    # keeps it right.
    xl = rng.standard_normal((3, 3, 2, 2)).astype(np.float32)
    out.append(case(
        "lrn_size_4",
        helper.make_node("LRN", ["x"], ["y"], size=4, alpha=0.01, beta=0.6,
                         bias=2.0),
        [vi("x", F, xl.shape)], [vi("y", F, xl.shape)], {"x": xl}, opset=13))
    out.append(case(
        "eyelike_negative_k",
        helper.make_node("EyeLike", ["x"], ["y"], k=-2),
        [vi("x", I32, [5, 4])], [vi("y", I32, [5, 4])],
        {"x": np.zeros((5, 4), np.int32)}))
    xr = rng.standard_normal((2, 2, 7, 6)).astype(np.float32)
    rois = np.array([[0.5, 1.0, 4.2, 5.5], [-2.0, -1.5, 3.0, 2.0],
                     [1.0, 1.0, 1.2, 1.1]], np.float32)
    for mode in ("avg", "max"):
        out.append(case(
            f"roialign_half_pixel_{mode}_ratio3",
            helper.make_node("RoiAlign", ["x", "r", "i"], ["y"], mode=mode,
                             output_height=3, output_width=2,
                             sampling_ratio=3, spatial_scale=0.9),
            [vi("x", F, xr.shape), vi("r", F, rois.shape), vi("i", I64, [3])],
            [vi("y", F, [3, 2, 3, 2])],
            {"x": xr, "r": rois, "i": np.array([1, 0, 1], np.int64)}))
    return out


def main():
    parser = tool_parser(__doc__.splitlines()[0])
    parser.add_argument("--filter", default="")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    all_cases = [c for c in (grid_sample_cases(rng) + dft_cases(rng) +
                             tfidf_cases(rng) + dropout_cases(rng) +
                             sequence_cases(rng) + misc_cases(rng))
                 if args.filter in c[0]]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, feeds in all_cases:
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(model, path)
            names = [o.name for o in model.graph.output]
            want = ReferenceEvaluator(model).run(None, feeds)
            outputs, error = compile_and_run(args.aicc, args.aicc_run,
                                             args.target, path, feeds, names,
                                             tmp, name)
            if error is None:
                error = first_mismatch(names, outputs, want, rtol=1e-4,
                                       atol=1e-5, reference="reference")
            if error:
                failures += 1
                print(f"FAIL {name}: {error}")
            else:
                print(f"PASS {name}")
    print(f"{len(all_cases) - failures} of {len(all_cases)} cases match the "
          f"ONNX reference evaluator")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
