#!/usr/bin/env python3
"""End-to-end: int8 models compiled with --target=npu, run by aicc-run on
the npu device (the RNPU simulator), must give the same bytes as the same
models compiled with --target=avx512 (aicc's int8 CPU path).

Models (onnx.helper, u8/s8 in and out, so every node runs on RNPU): a 3x3
pad-1 QLinearConv with per-channel weight scales and a bias, a stride-2
conv with s8 activations and odd channel counts, and a chain of two convs
(two dispatches), and a conv whose weights exceed the weight SRAM (output
channel groups), a depthwise stride-2 conv followed by a 1x1 conv, a
QLinearMatMul with per-column scales, QGemms, two small-spatial convs (the
weight-streaming schedule, stride 1 and 2), ONNX Runtime's QDQ MaxPool
(DequantizeLinear -> MaxPool -> QuantizeLinear, an int8 max pool on RNPU),
a QLinearMul and broadcasting QLinearAdd / QLinearMul.
Exit 77 (ctest: skipped) while the runtime has no npu
device (aicc-run --list-devices), which the runtime side wires up; the
models must still compile for both targets and run on the CPU.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv_node(rng, name, x, cin, cout, k, stride, pad, x_t, y_t, inits,
              depthwise=False):
    w = rng.integers(-127, 128, (cout, 1 if depthwise else cin, k, k))
    w = w.astype(np.int8)
    ws = (rng.random(cout) * 0.01 + 0.001).astype(np.float32)
    b = rng.integers(-3000, 3000, (cout,)).astype(np.int32)
    yzp = 7 if y_t == TensorProto.UINT8 else -5
    ydt = np.uint8 if y_t == TensorProto.UINT8 else np.int8
    inits += [numpy_helper.from_array(w, name + "_w"),
              numpy_helper.from_array(ws, name + "_ws"),
              numpy_helper.from_array(np.zeros(cout, np.int8), name + "_wz"),
              numpy_helper.from_array(b, name + "_b"),
              numpy_helper.from_array(np.array(0.08, np.float32), name + "_ys"),
              numpy_helper.from_array(np.array(yzp, ydt), name + "_yz")]
    return helper.make_node(
        "QLinearConv",
        [x, x + "_s", x + "_z", name + "_w", name + "_ws", name + "_wz",
         name + "_ys", name + "_yz", name + "_b"], [name],
        name=name, kernel_shape=[k, k], strides=[stride, stride],
        pads=[pad] * 4, group=cin if depthwise else 1)


def make_model(layers, cin, h, w, x_t, seed):
    rng = np.random.default_rng(seed)
    xdt = np.uint8 if x_t == TensorProto.UINT8 else np.int8
    inits = [numpy_helper.from_array(np.array(0.05, np.float32), "x_s"),
             numpy_helper.from_array(np.array(3, xdt), "x_z")]
    nodes, cur, c, t = [], "x", cin, x_t
    x_shape = [1, cin, h, w]
    for i, layer in enumerate(layers):
        cout, k, stride, pad, y_t = layer[:5]
        depthwise = len(layer) > 5 and layer[5]
        name = "conv%d" % i
        nodes.append(conv_node(rng, name, cur, c, cout, k, stride, pad, t,
                               y_t, inits, depthwise))
        inits.append(numpy_helper.from_array(
            numpy_helper.to_array(inits[-2]), name + "_s"))
        inits.append(numpy_helper.from_array(
            numpy_helper.to_array(inits[-2]), name + "_z"))
        cur, c, t = name, cout, y_t
        h = (h + 2 * pad - k) // stride + 1
        w = (w + 2 * pad - k) // stride + 1
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", x_t, x_shape)],
        [helper.make_tensor_value_info(cur, t, [1, c, h, w])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return model, cur, h, w


def make_qdq_maxpool(cin, h, w, seed):
    """A u8 3x3 conv, then ONNX Runtime's QDQ form of a MaxPool (3x3,
    stride 2, pad 1, like ResNet's stem): DequantizeLinear -> MaxPool ->
    QuantizeLinear with the conv's output scale and zero point."""
    model, cur, oh, ow = make_model([(16, 3, 1, 1, TensorProto.UINT8)], cin,
                                    h, w, TensorProto.UINT8, seed)
    g = model.graph
    g.node.extend([
        helper.make_node("DequantizeLinear", [cur, "conv0_s", "conv0_z"],
                         ["pf"], name="dq"),
        helper.make_node("MaxPool", ["pf"], ["pm"], name="maxpool",
                         kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("QuantizeLinear", ["pm", "conv0_s", "conv0_z"],
                         ["y"], name="q")])
    ph, pw = (oh + 2 - 3) // 2 + 1, (ow + 2 - 3) // 2 + 1
    del g.output[:]
    g.output.extend([helper.make_tensor_value_info(
        "y", TensorProto.UINT8, [1, 16, ph, pw])])
    return model


def make_binary(op, shape, b_shape, seed):
    """y = QLinearAdd / QLinearMul (com.microsoft) of x (u8, `shape`) and a
    constant b of `b_shape` (s8, broadcast to x when smaller), u8 out."""
    rng = np.random.default_rng(seed)
    inits = [
        numpy_helper.from_array(np.array(0.05, np.float32), "a_s"),
        numpy_helper.from_array(np.array(120, np.uint8), "a_z"),
        numpy_helper.from_array(
            rng.integers(-128, 128, b_shape).astype(np.int8), "b"),
        numpy_helper.from_array(np.array(0.031, np.float32), "b_s"),
        numpy_helper.from_array(np.array(-3, np.int8), "b_z"),
        numpy_helper.from_array(
            np.array(0.07 if op == "QLinearAdd" else 0.1, np.float32), "y_s"),
        numpy_helper.from_array(np.array(125, np.uint8), "y_z")]
    node = helper.make_node(
        op, ["x", "a_s", "a_z", "b", "b_s", "b_z", "y_s", "y_z"], ["y"],
        name="binary0", domain="com.microsoft")
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", TensorProto.UINT8,
                                                    shape)],
        [helper.make_tensor_value_info("y", TensorProto.UINT8, shape)], inits)
    return helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)])


def make_matmul(m, k, n, seed):
    """Y = QLinearMatMul(A[m][k] u8, B[k][n] s8 per-column scales), u8."""
    rng = np.random.default_rng(seed)
    inits = [
        numpy_helper.from_array(np.array(0.05, np.float32), "a_s"),
        numpy_helper.from_array(np.array(3, np.uint8), "a_z"),
        numpy_helper.from_array(
            rng.integers(-127, 128, (k, n)).astype(np.int8), "b"),
        numpy_helper.from_array(
            (rng.random(n) * 0.01 + 0.001).astype(np.float32), "b_s"),
        numpy_helper.from_array(np.zeros(n, np.int8), "b_z"),
        numpy_helper.from_array(np.array(0.3, np.float32), "y_s"),
        numpy_helper.from_array(np.array(100, np.uint8), "y_z")]
    node = helper.make_node(
        "QLinearMatMul", ["x", "a_s", "a_z", "b", "b_s", "b_z", "y_s", "y_z"],
        ["y"], name="matmul0")
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info("x", TensorProto.UINT8, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.UINT8, [m, n])],
        inits)
    return helper.make_model(graph,
                             opset_imports=[helper.make_opsetid("", 13)])


def make_qgemm(m, k, n, seed, trans_b, bias):
    """Y = QGemm(A[m][k] u8, B s8 per-column scales, C int32), u8 output
    (com.microsoft), B given as [n][k] when trans_b."""
    rng = np.random.default_rng(seed)
    b_shape = (n, k) if trans_b else (k, n)
    inits = [
        numpy_helper.from_array(np.array(0.05, np.float32), "a_s"),
        numpy_helper.from_array(np.array(3, np.uint8), "a_z"),
        numpy_helper.from_array(
            rng.integers(-127, 128, b_shape).astype(np.int8), "b"),
        numpy_helper.from_array(
            (rng.random(n) * 0.01 + 0.001).astype(np.float32), "b_s"),
        numpy_helper.from_array(np.zeros(n, np.int8), "b_z"),
        numpy_helper.from_array(
            rng.integers(-3000, 3000, (n,)).astype(np.int32), "c"),
        numpy_helper.from_array(np.array(0.3, np.float32), "y_s"),
        numpy_helper.from_array(np.array(100, np.uint8), "y_z")]
    inputs = ["x", "a_s", "a_z", "b", "b_s", "b_z", "c" if bias else "",
              "y_s", "y_z"]
    node = helper.make_node("QGemm", inputs, ["y"], name="gemm0",
                            domain="com.microsoft", transB=int(trans_b))
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info("x", TensorProto.UINT8, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.UINT8, [m, n])],
        inits)
    return helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aicc", required=True)
    parser.add_argument("--aicc-run", required=True)
    args = parser.parse_args()
    devices = subprocess.run([args.aicc_run, "--list-devices"],
                             capture_output=True, text=True).stdout
    have_npu = any(line.startswith("npu") for line in devices.splitlines())
    U8, S8 = TensorProto.UINT8, TensorProto.INT8
    cases = {
        "conv3x3": ([(16, 3, 1, 1, U8)], 8, 10, 12, U8),
        "stride2_s8": ([(37, 3, 2, 1, S8)], 19, 13, 11, S8),
        "chain": ([(24, 3, 1, 1, U8), (16, 1, 1, 0, U8)], 8, 9, 9, U8),
        # 144 KiB of weights: two output channel groups on the 128 KiB WGT.
        "groups": ([(256, 3, 1, 1, U8)], 64, 6, 6, U8),
        # MobileNetV2's pattern: depthwise 3x3 stride 2, then 1x1.
        "depthwise": ([(24, 3, 2, 1, U8, True), (16, 1, 1, 0, U8)], 24, 10,
                      10, U8),
        # QLinearMatMul: a channels-last 1x1 conv over 37 rows.
        "matmul": (None, 70, 37, 45, U8),
        # QGemm (a classifier's fc): transB with an int32 bias, and plain.
        "qgemm_tb": ("qgemm", 70, 37, 45, U8, True, True),
        "qgemm": ("qgemm", 70, 37, 45, U8, False, False),
        # Small spatial sizes (ow < 16): the weight-streaming conv schedule,
        # stride 1 and 2 (ResNet-18's layer4 pattern, fewer channels).
        "streamed": ([(48, 3, 1, 1, U8), (40, 3, 2, 1, U8)], 64, 7, 9, U8),
        # ONNX Runtime's DequantizeLinear -> MaxPool -> QuantizeLinear: an
        # int8 max pool on RNPU, the float one on the CPU.
        "qdq_maxpool": ("maxpool", 8, 13, 12, U8),
        # QLinearMul of the same shape, and broadcasting QLinearAdd /
        # QLinearMul with a per-channel and a per-row b.
        "qmul": ("binary", 16, 9, 11, U8, "QLinearMul", [1, 16, 9, 11]),
        "qadd_bcast": ("binary", 16, 9, 11, U8, "QLinearAdd", [1, 16, 1, 1]),
        "qmul_bcast": ("binary", 16, 9, 11, U8, "QLinearMul", [11]),
    }
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (layers, cin, h, w, x_t, *gemm) in cases.items():
            rng = np.random.default_rng(1)
            if layers == "binary":
                model, out = make_binary(gemm[0], [1, cin, h, w], gemm[1],
                                         6), "y"
                layers = "conv"
            elif layers == "maxpool":
                model, out = make_qdq_maxpool(cin, h, w, 5), "y"
                layers = "conv"
            elif layers == "qgemm":
                model, out = make_qgemm(h, cin, w, 4, *gemm), "y"
                layers = None
            elif layers is None:
                model, out = make_matmul(h, cin, w, 3), "y"
            else:
                model, out, _, _ = make_model(layers, cin, h, w, x_t, 2)
            onnx.checker.check_model(model)
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(model, path)
            xdt = np.uint8 if x_t == U8 else np.int8
            shape = (h, cin) if layers is None else (1, cin, h, w)
            x = rng.integers(np.iinfo(xdt).min, np.iinfo(xdt).max + 1,
                             shape).astype(xdt)
            np.save(os.path.join(tmp, "x.npy"), x)
            results = {}
            for target in ("avx512", "npu"):
                artifact = os.path.join(tmp, "%s.%s.aicc" % (name, target))
                y = os.path.join(tmp, "%s.%s.npy" % (name, target))
                subprocess.run([args.aicc, path, "--target=" + target, "-o",
                                artifact], check=True)
                if target == "npu" and not have_npu:
                    continue
                subprocess.run([args.aicc_run, artifact, "--input",
                                "x=@" + os.path.join(tmp, "x.npy"), "--output",
                                out + "=@" + y], check=True)
                results[target] = np.load(y)
                # A saturated or constant output would compare equal by
                # accident: the models are scaled to spread over the range.
                distinct = len(np.unique(results[target]))
                if distinct < 20:
                    print("%s: only %d distinct output values on %s" %
                          (name, distinct, target))
                    failures += 1
            if not have_npu:
                print("%-12s compiled for npu; not run (no npu device)" % name)
                continue
            same = np.array_equal(results["avx512"], results["npu"])
            differ = int(np.sum(results["avx512"] != results["npu"]))
            print("%-12s %s (%d of %d bytes differ)" %
                  (name, "bit-identical" if same else "MISMATCH", differ,
                   results["npu"].size))
            failures += not same
    if not have_npu:
        print("skipped: aicc-run has no npu device yet")
        return 77
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
