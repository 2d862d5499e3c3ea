#!/usr/bin/env python3
"""AMX-BF16 kernels of --precision=bf16 (--target=avx512-amx,
targets/avx512/AmxBf16Kernels.h) against ONNX Runtime and against the
vdpbf16ps kernels (--target=avx512-vnni).

A small model with the shapes the AMX kernels take: a 1x1 conv, a 3x3 conv
with padding, a 1x1 conv of stride 2 (64 -> 64 -> 64 -> 128 channels, bias
and ReLU epilogues, a residual add), a 3x3 conv of stride 2 with padding
(128 -> 32 channels, 7x7 -> 4x4: phase planes of odd size) and a
BERT-like branch: MatMul of a
[1, 37, 96] activation (37 rows: not a multiple of the 16-row tiles) by a
[96, 64] weight, bias Add, GELU-free Relu, MatMul by [64, 48].

Always checked: the avx512-amx compile puts the 4 convs on
aicc_amx_conv_bf16 and the 2 matmuls on aicc_amx_matmul_bf16 (the lowered
Halide statements call them); avx512-vnni calls neither. On a CPU with
AMX-BF16 also: both artifacts run (1 and 2 threads) and
^ - the AMX outputs are within 1e-4 (relative to the output scale) of ONNX
   Runtime running the model with the same bf16 operands stated in ONNX ops
   (Cast to bfloat16 and back; weights rounded with NumPy): only the f32
   summation order differs;
 - within 2% of the output scale of ONNX Runtime's fp32 result (the bf16
   rounding of the operands);
^ - within 1e-5 of the scale of the vdpbf16ps kernels' outputs.
Without AMX-BF16 the run is skipped (exit 77, ctest's SKIP_RETURN_CODE).

    amx_bf16.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

SKIP = 77


def host_has_amx_bf16():
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    # The avx512-amx target needs AMX-INT8 too (every AMX CPU has both).
    return all(f" {flag}" in flags for flag in ("amx_tile", "amx_bf16", "amx_int8"))


def bf16_round(a):
    """f32 -> nearest-even bf16 -> f32."""
    u = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return (u.astype(np.uint32) << 16).view(np.float32)


def make_weights(rng):
    w = {}
    for name, cout, cin, k in (("c1", 64, 64, 1), ("c2", 64, 64, 3), ("c3", 128, 64, 1),
                               ("c4", 32, 128, 3)):
        w[name + "_w"] = (rng.standard_normal((cout, cin, k, k)) / np.sqrt(cin * k * k)).astype(np.float32)
        w[name + "_b"] = (rng.standard_normal(cout) * 0.1).astype(np.float32)
    w["m1_w"] = (rng.standard_normal((96, 64)) / np.sqrt(96)).astype(np.float32)
    w["m1_b"] = (rng.standard_normal(64) * 0.1).astype(np.float32)
    w["m2_w"] = (rng.standard_normal((64, 48)) / np.sqrt(64)).astype(np.float32)
    return w


def make_model(weights, bf16_reference):
    nodes, inits = [], []
    for name, value in weights.items():
        if bf16_reference and name.endswith("_w"):
            value = bf16_round(value)
        inits.append(numpy_helper.from_array(value, name))

    def operand(x):
        if not bf16_reference:
            return x
        nodes.append(helper.make_node("Cast", [x], [x + "_b"], to=TensorProto.BFLOAT16))
        nodes.append(helper.make_node("Cast", [x + "_b"], [x + "_f"], to=TensorProto.FLOAT))
        return x + "_f"

    def conv(name, x, k, stride, pad):
        nodes.append(helper.make_node("Conv", [operand(x), name + "_w", name + "_b"], [name],
                                      kernel_shape=[k, k], strides=[stride, stride],
                                      pads=[pad] * 4, name=name))
        return name

    def relu(x):
        nodes.append(helper.make_node("Relu", [x], [x + "_r"], name=x + "_relu"))
        return x + "_r"

    a = relu(conv("c1", "x", 1, 1, 0))
    b = conv("c2", a, 3, 1, 1)
    nodes.append(helper.make_node("Add", [b, "x"], ["res"], name="residual"))
    c = relu(conv("c3", relu("res"), 1, 2, 0))
    conv("c4", c, 3, 2, 1)
    nodes.append(helper.make_node("Identity", ["c4"], ["y"], name="y"))
    nodes.append(helper.make_node("MatMul", [operand("t"), "m1_w"], ["m1"], name="m1"))
    nodes.append(helper.make_node("Add", ["m1", "m1_b"], ["m1b"], name="m1_bias"))
    h = relu("m1b")
    nodes.append(helper.make_node("MatMul", [operand(h), "m2_w"], ["z"], name="m2"))
    graph = helper.make_graph(
        nodes, "amx_bf16",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64, 14, 14]),
         helper.make_tensor_value_info("t", TensorProto.FLOAT, [1, 37, 96])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32, 4, 4]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 37, 48])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aicc", required=True)
    ap.add_argument("--aicc-run", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    weights = make_weights(rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        ref_path = os.path.join(tmp, "bf16_reference.onnx")
        onnx.save(make_model(weights, False), path)
        onnx.save(make_model(weights, True), ref_path)

        artifacts = {}
        for target in ("avx512-amx", "avx512-vnni"):
            stmt = os.path.join(tmp, target + ".stmt")
            os.mkdir(stmt)
            artifacts[target] = os.path.join(tmp, target + ".aicc")
            env = dict(os.environ, AICC_HALIDE_STMT_DIR=stmt)
            p = subprocess.run([args.aicc, path, f"--target={target}", "--precision=bf16",
                                "-o", artifacts[target]], env=env, capture_output=True, text=True)
            if p.returncode:
                print(f"FAIL: aicc --target={target} --precision=bf16:\n{p.stderr}")
                return 1
            calls = {"aicc_amx_conv_bf16": 0, "aicc_amx_matmul_bf16": 0}
            for stmt_file in glob.glob(os.path.join(stmt, "*.stmt")):
                with open(stmt_file) as f:
                    text = f.read()
                for fn in calls:
                    calls[fn] += (fn + "(") in text
            want = ({"aicc_amx_conv_bf16": 4, "aicc_amx_matmul_bf16": 2}
                    if target == "avx512-amx" else
                    {"aicc_amx_conv_bf16": 0, "aicc_amx_matmul_bf16": 0})
            if calls != want:
                print(f"FAIL: --target={target}: kernels calling the AMX bf16 externs: {calls}, "
                      f"expected {want}")
                return 1
        print("compile: 4 convs call aicc_amx_conv_bf16 and 2 matmuls aicc_amx_matmul_bf16 "
              "with --target=avx512-amx, none with avx512-vnni")

        if not host_has_amx_bf16():
            print("SKIP: this CPU has no AMX-BF16; the AMX artifact was not run")
            return SKIP
        inputs = {"x": rng.standard_normal((1, 64, 14, 14)).astype(np.float32),
                  "t": rng.standard_normal((1, 37, 96)).astype(np.float32)}
        run_args = []
        for name, value in inputs.items():
            np.save(os.path.join(tmp, name + ".npy"), value)
            run_args += ["--input", f"{name}=@" + os.path.join(tmp, name + ".npy")]
        outs = {}
        for target, artifact in artifacts.items():
            for threads in (1, 2):
                key = (target, threads)
                outs[key] = {}
                out_args = []
                for name in ("y", "z"):
                    out_args += ["--output", f"{name}=@" + os.path.join(tmp, f"{target}.{threads}.{name}.npy")]
                p = subprocess.run([args.aicc_run, artifact, "--threads", str(threads)] + run_args + out_args,
                                   capture_output=True, text=True)
                if p.returncode:
                    print(f"FAIL: aicc-run ({target}, {threads} threads):\n{p.stdout}{p.stderr}")
                    return 1
                for name in ("y", "z"):
                    outs[key][name] = np.load(os.path.join(tmp, f"{target}.{threads}.{name}.npy"))
        fp32 = dict(zip(("y", "z"), ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, inputs)))
        bf16 = dict(zip(("y", "z"), ort.InferenceSession(ref_path, providers=["CPUExecutionProvider"]).run(None, inputs)))
        failed = False
        for name in ("y", "z"):
            scale = float(np.max(np.abs(fp32[name])))
            for threads in (1, 2):
                amx = outs[("avx512-amx", threads)][name]
                vnni = outs[("avx512-vnni", threads)][name]
                errors = {
                    "ORT bf16 operands": (float(np.max(np.abs(amx - bf16[name]))), 1e-4),
                    "ORT fp32": (float(np.max(np.abs(amx - fp32[name]))), 2e-2),
                    "vdpbf16ps kernels": (float(np.max(np.abs(amx - vnni))), 1e-5),
                }
                for what, (err, tol) in errors.items():
                    ok = err <= tol * scale
                    failed |= not ok
                    print(f"{'ok' if ok else 'FAIL'}: {name} ({threads} threads): AMX vs {what}: "
                          f"max abs error {err:.3g} ({err / scale:.2e} of the scale {scale:.3g}, "
                          f"limit {tol:g})")
        # The vdpbf16ps kernels against the same bf16 reference (the limits
        # above tell bf16 from fp32: the fp32 result is farther).
        sep = float(np.max(np.abs(fp32["z"] - bf16["z"]))) / float(np.max(np.abs(fp32["z"])))
        print(f"ORT fp32 vs ORT bf16 operands (z): {sep:.2e} of the scale")
        if failed:
            return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
