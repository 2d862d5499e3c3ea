#!/usr/bin/env python3
"""AMX int8 convs (--target=avx512-amx, targets/avx512/AmxKernels.h) against
the vpdpbusd kernels (--target=avx512-vnni) bit for bit and against ONNX
Runtime's int8 result.

A small CNN with the conv shapes the AMX kernels take (1x1 stride 1, 3x3
stride 1 with padding, 1x1 stride 2, 3x3 stride 2 with and without padding,
3-channel 7x7 stride 2 and 3x3 stride 1 (taps folded into K), 1x1 stride 1
on 7x7, a residual add) is quantized by ONNX
Runtime's quantize_static (QDQ, per-channel, u8 activations / s8 weights).
Always checked: the avx512-amx compile puts the convs on aicc_amx_conv_i8
(the lowered Halide statements call it). On a CPU with AMX-INT8 also: both
artifacts run and their outputs are identical, and within one quantization
step of ONNX Runtime's on >= 99.9% of elements. Without AMX the run is
skipped (exit 77, ctest's SKIP_RETURN_CODE).

    amx_conv.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run
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
from onnxruntime import quantization as oq

SKIP = 77


def host_has_amx():
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return " amx_int8" in flags and " amx_tile" in flags


def make_model(rng):
    def conv(name, x, cin, cout, k, stride, pad):
        w = rng.standard_normal((cout, cin, k, k)).astype(np.float32) / np.sqrt(cin * k * k)
        b = rng.standard_normal(cout).astype(np.float32) * 0.1
        inits.extend([numpy_helper.from_array(w, name + "_w"), numpy_helper.from_array(b, name + "_b")])
        nodes.append(helper.make_node("Conv", [x, name + "_w", name + "_b"], [name],
                                      kernel_shape=[k, k], strides=[stride, stride],
                                      pads=[pad] * 4, name=name))
        return name

    def relu(x):
        nodes.append(helper.make_node("Relu", [x], [x + "_r"], name=x + "_relu"))
        return x + "_r"

    nodes, inits = [], []
    a = relu(conv("c1", "x", 64, 64, 1, 1, 0))
    b = relu(conv("c2", a, 64, 64, 3, 1, 1))
    c = conv("c3", b, 64, 128, 1, 1, 0)
    d = conv("down", "x", 64, 128, 1, 1, 0)
    nodes.append(helper.make_node("Add", [c, d], ["sum"], name="add"))
    e = relu("sum")
    conv("c4", e, 128, 64, 1, 2, 0)
    # 1x1 stride 1 on a 7x7 image (the pixels packed as one run).
    conv("c9", relu("c4"), 64, 32, 1, 1, 0)
    # 1x1 of 128 channels on 196 pixels: K of two 64-byte steps, and a
    # block of 7 columns of 32 pixels x 2 of 32 channels (pixels outer).
    conv("c10", e, 128, 64, 1, 1, 0)
    # 3x3 stride 2 (phase planes): 16x16 padded input, and 15x15 (odd).
    conv("c5", e, 128, 64, 3, 2, 1)
    conv("c6", e, 128, 32, 3, 2, 0)
    # Few input channels (the taps of a row folded into K): a ResNet stem
    # (7x7 stride 2; 64 channels: the first block of weights read in place,
    # the last copied) and a 3x3 stride 1.
    conv("c7", "img", 3, 64, 7, 2, 3)
    conv("c8", "img", 3, 16, 3, 1, 1)
    graph = helper.make_graph(
        nodes, "amx_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64, 14, 14]),
         helper.make_tensor_value_info("img", TensorProto.FLOAT, [1, 3, 23, 23])],
        [helper.make_tensor_value_info("c4", TensorProto.FLOAT, [1, 64, 7, 7]),
         helper.make_tensor_value_info("c5", TensorProto.FLOAT, [1, 64, 7, 7]),
         helper.make_tensor_value_info("c6", TensorProto.FLOAT, [1, 32, 6, 6]),
         helper.make_tensor_value_info("c7", TensorProto.FLOAT, [1, 64, 12, 12]),
         helper.make_tensor_value_info("c8", TensorProto.FLOAT, [1, 16, 23, 23]),
         helper.make_tensor_value_info("c9", TensorProto.FLOAT, [1, 32, 7, 7]),
         helper.make_tensor_value_info("c10", TensorProto.FLOAT, [1, 64, 14, 14])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


class Reader(oq.CalibrationDataReader):
    def __init__(self, batches):
        self.it = iter(batches)

    def get_next(self):
        return next(self.it, None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aicc", required=True)
    ap.add_argument("--aicc-run", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = os.path.join(tmp, "cnn.onnx")
        int8 = os.path.join(tmp, "cnn.qdq.onnx")
        onnx.save(make_model(rng), fp32)
        calib = [{"x": rng.standard_normal((1, 64, 14, 14)).astype(np.float32),
                  "img": rng.standard_normal((1, 3, 23, 23)).astype(np.float32)} for _ in range(4)]
        oq.quantize_static(fp32, int8, Reader(calib), quant_format=oq.QuantFormat.QDQ,
                           per_channel=True, activation_type=oq.QuantType.QUInt8,
                           weight_type=oq.QuantType.QInt8)

        artifacts = {}
        for target in ("avx512-amx", "avx512-vnni"):
            stmt = os.path.join(tmp, target + ".stmt")
            os.mkdir(stmt)
            artifacts[target] = os.path.join(tmp, target + ".aicc")
            env = dict(os.environ, AICC_HALIDE_STMT_DIR=stmt)
            p = subprocess.run([args.aicc, int8, f"--target={target}", "-o", artifacts[target]],
                               env=env, capture_output=True, text=True)
            if p.returncode:
                print(f"FAIL: aicc --target={target}:\n{p.stderr}")
                return 1
            calls = 0
            for path in glob.glob(os.path.join(stmt, "*.stmt")):
                with open(path) as f:
                    calls += "aicc_amx_conv_i8(" in f.read()
            want = 11 if target == "avx512-amx" else 0
            if calls != want:
                print(f"FAIL: --target={target}: {calls} kernels call aicc_amx_conv_i8, expected {want}")
                return 1
        print("compile: the 11 convs call aicc_amx_conv_i8 with --target=avx512-amx, none with avx512-vnni")

        if not host_has_amx():
            print("SKIP: this CPU has no AMX-INT8; the AMX artifact was not run")
            return SKIP
        x = rng.standard_normal((1, 64, 14, 14)).astype(np.float32)
        img = rng.standard_normal((1, 3, 23, 23)).astype(np.float32)
        xin = os.path.join(tmp, "x.npy")
        imgin = os.path.join(tmp, "img.npy")
        np.save(xin, x)
        np.save(imgin, img)
        names = ("c4", "c5", "c6", "c7", "c8", "c9", "c10")
        outs = {}
        for target, artifact in artifacts.items():
            cmd = [args.aicc_run, artifact, "--input", "x=@" + xin, "--input", "img=@" + imgin,
                   "--threads", "2"]
            for name in names:
                cmd += ["--output", f"{name}=@" + os.path.join(tmp, f"{target}.{name}.npy")]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode:
                print(f"FAIL: aicc-run ({target}):\n{p.stdout}{p.stderr}")
                return 1
            outs[target] = [np.load(os.path.join(tmp, f"{target}.{name}.npy")) for name in names]
        sess = ort.InferenceSession(int8, providers=["CPUExecutionProvider"])
        refs = sess.run(list(names), {"x": x, "img": img})
        model = onnx.load(int8)
        inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
        for k, name in enumerate(names):
            amx, vnni = outs["avx512-amx"][k], outs["avx512-vnni"][k]
            if not np.array_equal(amx, vnni):
                diff = np.abs(amx - vnni)
                print(f"FAIL: {name}: AMX and VNNI results differ ({(diff > 0).sum()} elements, max {diff.max()})")
                return 1
            # The step: the scale of the DequantizeLinear producing the output.
            dq = next(n for n in model.graph.node if n.op_type == "DequantizeLinear" and n.output[0] == name)
            step = float(inits[dq.input[1]])
            within = np.mean(np.abs(amx - refs[k]) <= step * 1.001)
            print(f"run: {name}: AMX == VNNI bit for bit; {within * 100:.3f}% within one step ({step:.4g}) of ONNX Runtime")
            if within < 0.999:
                print(f"FAIL: {name}: fewer than 99.9% within one step of ONNX Runtime")
                return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
