#!/usr/bin/env python3
"""End-to-end: QDQ models compiled with --target=npu,avx512 (RNPU runs what
it can, the CPU the rest) run partitioned by aicc-run --device=auto and
give the same bytes as the same models compiled with --target=avx512
(aicc's int8 CPU path), and are within one quantization step of ONNX
Runtime.

Default (ctest npu.partition): a small CNN ending in Gemm + Softmax, built
with onnx.helper from a fixed seed and quantized by ONNX Runtime's
quantize_static (QDQ, per-channel, u8 activations, s8 weights). Checks:
  - --report=partition puts nodes on both devices and its counts add up;
  - the partitioned run is bit-identical to --target=avx512;
  - it is within one quantization step of ONNX Runtime's int8 result
    (99.9% of the elements; the step is the scale of the DequantizeLinear
    feeding the Softmax);
  - the npu device really ran the NPU part (aicc-run --profile lists its
    dispatches) and its Chrome trace (aicc-run --trace) is valid JSON with
    events on the RNPU queues.

--models resnet18,mobilenet_v2 (ctest npu.partition-cnns) does the same
for torchvision's ResNet-18 and MobileNetV2 (random weights, seed 0,
--size input), and prints the simulated RNPU profile.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime import quantization as oq

MIN_MATCH = 0.999


class Reader(oq.CalibrationDataReader):
    def __init__(self, name, batches):
        self.it = iter([{name: b} for b in batches])

    def get_next(self):
        return next(self.it, None)


def small_cnn(path):
    """x[1,3,16,16] -> conv3x3 -> relu -> residual block (conv3x3, Add,
    relu) -> conv3x3/2 -> relu -> conv1x1 -> GlobalAveragePool -> Flatten
    -> Gemm -> Softmax."""
    rng = np.random.default_rng(0)

    def w(name, shape, scale):
        return numpy_helper.from_array(
            (rng.standard_normal(shape) * scale).astype(np.float32), name)

    inits = [w("w0", (8, 3, 3, 3), 0.3), w("b0", (8,), 0.1),
             w("wr", (8, 8, 3, 3), 0.15), w("br", (8,), 0.1),
             w("w1", (16, 8, 3, 3), 0.15), w("b1", (16,), 0.1),
             w("w2", (24, 16, 1, 1), 0.25), w("b2", (24,), 0.1),
             w("wf", (10, 24), 0.3), w("bf", (10,), 0.1)]
    nodes = [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], name="conv0",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c0"], ["r0"], name="relu0"),
        helper.make_node("Conv", ["r0", "wr", "br"], ["cr"], name="convr",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["r0", "cr"], ["sum"], name="residual"),
        helper.make_node("Relu", ["sum"], ["rr"], name="relur"),
        helper.make_node("Conv", ["rr", "w1", "b1"], ["c1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[2, 2]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2",
                         kernel_shape=[1, 1]),
        helper.make_node("GlobalAveragePool", ["c2"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["logits"], name="fc",
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["y"], name="softmax",
                         axis=1),
    ]
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return "x", [1, 3, 16, 16]


def torchvision_model(name, size, path):
    import torch
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)().eval()
    torch.onnx.export(model, torch.randn(1, 3, size, size), path,
                      input_names=["input"], output_names=["logits"],
                      opset_version=17)
    return "input", [1, 3, size, size]


def step_of_output(model_path):
    """The scale of the DequantizeLinear that feeds the graph's output
    (directly or through a Softmax)."""
    model = onnx.load(model_path)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    producer = {o: n for n in model.graph.node for o in n.output}
    value = model.graph.output[0].name
    while value in producer:
        node = producer[value]
        if node.op_type == "DequantizeLinear":
            return float(np.max(inits[node.input[1]]))
        value = node.input[0]
    return None


def check_model(args, tmp, name, make):
    fp = os.path.join(tmp, name + ".onnx")
    qdq = os.path.join(tmp, name + ".qdq.onnx")
    input_name, shape = make(fp)
    rng = np.random.default_rng(1)
    calib = [rng.standard_normal(shape).astype(np.float32) for _ in range(4)]
    # ONNX Runtime's recommended pre-processing before quantization (as
    # scripts/check-quantized-models does): without it, the Conv biases of
    # torchvision's exports (Identity outputs, not initializers) stay float,
    # and ONNX Runtime runs those convolutions in float (11 of MobileNetV2's
    # 52) where aicc runs them in int8.
    from onnxruntime.quantization.shape_inference import quant_pre_process
    pre = os.path.join(tmp, name + ".pre.onnx")
    quant_pre_process(fp, pre, skip_symbolic_shape=True)
    fp = pre
    oq.quantize_static(fp, qdq, Reader(input_name, calib),
                       quant_format=oq.QuantFormat.QDQ, per_channel=True,
                       activation_type=oq.QuantType.QUInt8,
                       weight_type=oq.QuantType.QInt8)
    x = rng.standard_normal(shape).astype(np.float32)
    xpath = os.path.join(tmp, name + ".x.npy")
    np.save(xpath, x)
    out_name = onnx.load(qdq).graph.output[0].name
    failures = 0

    cpu = os.path.join(tmp, name + ".avx512.aicc")
    part = os.path.join(tmp, name + ".part.aicc")
    subprocess.run([args.aicc, qdq, "--target=avx512", "-o", cpu], check=True)
    r = subprocess.run([args.aicc, qdq, "--target=npu,avx512",
                        "--report=partition", "-o", part],
                       capture_output=True, text=True)
    if r.returncode:
        print(r.stderr)
        raise SystemExit("%s: aicc --target=npu,avx512 failed" % name)
    m = re.search(r"partition \(--target=npu,avx512\): (\d+) of (\d+) nodes "
                  r"on npu, (\d+) on avx512", r.stderr)
    d = re.search(r"dispatches: (\d+) on npu, (\d+) on avx512", r.stderr)
    if not m or not d:
        print(r.stderr)
        raise SystemExit("%s: no partition report" % name)
    on_npu, nodes, on_cpu = map(int, m.groups())
    lines = [l for l in r.stderr.splitlines() if l.startswith("  npu ") or
             l.startswith("  avx512 ")]
    # The DequantizeLinear / QuantizeLinear around an int8 MaxPool run in
    # the MaxPool's RNPU kernel: one dispatch for the three nodes.
    folded = sum(1 for l in lines if l.startswith("  npu ") and
                 ("::QuantizeLinear)" in l or "::DequantizeLinear)" in l))
    if on_npu == 0 or on_cpu == 0 or on_npu + on_cpu != nodes or \
            len(lines) != nodes or int(d.group(1)) != on_npu - folded:
        print(r.stderr)
        print("%s: inconsistent partition report" % name)
        failures += 1
    print("%s: %d of %d nodes on npu (%s npu dispatches), %d on avx512 "
          "(%s avx512 dispatches)" % (name, on_npu, nodes, d.group(1), on_cpu,
                                      d.group(2)))
    if args.verbose:
        print(r.stderr)

    y_cpu = os.path.join(tmp, name + ".y_cpu.npy")
    y_part = os.path.join(tmp, name + ".y_part.npy")
    subprocess.run([args.aicc_run, cpu, "--input", input_name + "=@" + xpath,
                    "--output", out_name + "=@" + y_cpu], check=True)
    trace = os.path.join(tmp, name + ".trace.json")
    run = subprocess.run([args.aicc_run, part, "--device=auto", "--input",
                          input_name + "=@" + xpath, "--output",
                          out_name + "=@" + y_part, "--profile",
                          "--trace=" + trace],
                         check=True, stdout=subprocess.PIPE, text=True)
    a, b = np.load(y_cpu), np.load(y_part)
    same = a.dtype == b.dtype and np.array_equal(a, b)
    print("%s: partitioned vs --target=avx512: %s (%d of %d elements differ)"
          % (name, "bit-identical" if same else "MISMATCH",
             int(np.sum(a != b)), a.size))
    failures += not same

    # The NPU part ran on the simulator.
    text = run.stdout[run.stdout.find("simulated RNPU profile"):]
    pm = re.search(r"simulated RNPU profile: (\d+) dispatches", text)
    if not pm or int(pm.group(1)) != int(d.group(1)):
        print(text)
        print("%s: the npu device did not run the %s npu dispatches" %
              (name, d.group(1)))
        failures += 1
    else:
        print(text.rstrip() if args.verbose else text.splitlines()[-1])
    try:
        events = json.load(open(trace))["traceEvents"]
        queues = {e.get("tid") for e in events if e.get("ph") == "X"}
        ok = len(events) > 0 and all("ph" in e and "pid" in e for e in events)
        print("%s: Chrome trace: %d events on %d queues, valid JSON" %
              (name, len(events), len(queues)))
        failures += not ok
    except (OSError, ValueError, KeyError) as e:
        print("%s: the Chrome trace is not valid: %s" % (name, e))
        failures += 1

    # ONNX Runtime's int8 result.
    session = ort.InferenceSession(qdq, providers=["CPUExecutionProvider"])
    ref = session.run(None, {input_name: x})[0]
    step = step_of_output(qdq)
    within = float(np.mean(np.abs(b.astype(np.float64) - ref) <= step * 1.0001))
    print("%s: vs ONNX Runtime: %.2f%% within one step (%g), max diff %g" %
          (name, 100 * within, step, float(np.max(np.abs(b - ref)))))
    failures += within < MIN_MATCH
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aicc", required=True)
    parser.add_argument("--aicc-run", required=True)
    parser.add_argument("--models", default="",
                        help="torchvision models instead of the small CNN, "
                             "e.g. resnet18,mobilenet_v2")
    parser.add_argument("--size", type=int, default=64,
                        help="input height and width of --models")
    parser.add_argument("--keep", help="keep the files in this directory")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if args.models:
        try:
            import torch  # noqa: F401
            import torchvision  # noqa: F401
        except ImportError:
            print("skipped: --models needs torch and torchvision")
            return 77
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        os.makedirs(tmp, exist_ok=True)
        if not args.models:
            failures += check_model(args, tmp, "small_cnn", small_cnn)
        for name in filter(None, args.models.split(",")):
            failures += check_model(
                args, tmp, name,
                lambda p, n=name: torchvision_model(n, args.size, p))
    print("FAILED" if failures else "PASSED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
