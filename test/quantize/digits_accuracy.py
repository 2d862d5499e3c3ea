#!/usr/bin/env python3
"""Accuracy of `aicc quantize` on real data: scikit-learn's 8x8 digits.

Trains a small CNN with PyTorch (fixed seed, a few seconds), exports it to
ONNX, writes calibration .npy files from the training split, quantizes it
with `aicc quantize`, compiles the float and the int8 model with aicc and
compares their accuracy on the held-out split: the int8 model may lose at
most 0.5 points. ONNX Runtime runs the quantized model too (it must accept
it, and its accuracy is reported as an independent reference), and
`aicc --quantize=int8` (quantize in memory, then compile) must give the
same predictions as compiling the written QDQ model.

  digits_accuracy.py --aicc build/bin/aicc --aicc-run build/bin/aicc-run \
      [--workdir DIR]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

MAX_LOSS_POINTS = 0.5


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{result.stdout}{result.stderr}")
    return result


def train_and_export(path, x_train, y_train, x_test, y_test):
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)  # faster than 2 on a busy 2-core machine
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(32 * 4 * 4, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), 1e-2)
    x, y = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for _ in range(15):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            batch = order[i:i + 64]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        torch_acc = (model(torch.from_numpy(x_test)).argmax(1).numpy()
                     == y_test).mean()
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), path,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"},
                                    "logits": {0: "batch"}},
                      opset_version=13)
    return torch_acc


def aicc_predict(args, model, x_path, n, workdir, tag, extra=()):
    artifact = os.path.join(workdir, tag + ".aicc")
    logits = os.path.join(workdir, tag + ".logits.npy")
    run([args.aicc, model, f"--input-shape=input:{n}x1x8x8",
         "--target=avx512", "-o", artifact, *extra])
    run([args.aicc_run, artifact, "--input", f"input=@{x_path}",
         "--output", f"logits=@{logits}"])
    return np.load(logits).argmax(1)


# (method, per-channel, largest accuracy loss in points). minmax is ONNX
# Runtime's default and the criterion (0.5 points); percentile and
# entropy clip outliers, which on 450 images can cost a sample or two more.
CONFIGS = [("minmax", False, MAX_LOSS_POINTS), ("minmax", True, MAX_LOSS_POINTS),
           ("percentile", True, 1.5), ("entropy", False, 1.5)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aicc", required=True)
    parser.add_argument("--aicc-run", required=True)
    parser.add_argument("--workdir")
    args = parser.parse_args()
    # Removed when the script exits, unless --workdir names a directory.
    tmp = None if args.workdir else tempfile.TemporaryDirectory(
        prefix="aicc-digits-")
    workdir = args.workdir or tmp.name
    os.makedirs(workdir, exist_ok=True)

    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    import onnx
    import onnxruntime as ort

    digits = load_digits()
    x = (digits.images.astype(np.float32) / 16.0)[:, None]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, random_state=0, stratify=y)

    float_model = os.path.join(workdir, "digits.onnx")
    torch_acc = train_and_export(float_model, x_train, y_train, x_test, y_test)
    x_test_path = os.path.join(workdir, "test_x.npy")
    np.save(x_test_path, x_test)
    calibration = os.path.join(workdir, "calibration")
    os.makedirs(calibration, exist_ok=True)
    for i in range(10):  # 320 training images, batches of 32
        np.save(os.path.join(calibration, f"{i:03d}.npy"),
                x_train[i * 32:(i + 1) * 32])

    n = len(x_test)
    float_pred = aicc_predict(args, float_model, x_test_path, n, workdir,
                              "float")
    float_acc = 100.0 * (float_pred == y_test).mean()
    print(f"digits CNN: {n} held-out images; calibration: 320 training "
          "images (10 .npy files)")
    print(f"  PyTorch float accuracy:  {100.0 * torch_acc:.2f}%")
    print(f"  aicc float accuracy:     {float_acc:.2f}%")
    failures = []
    if float_acc < 90.0:
        failures.append(f"the float model is not trained ({float_acc:.2f}%)")
    for method, per_channel, max_loss in CONFIGS:
        options = ["--method", method] + (["--per-channel"] if per_channel
                                          else [])
        tag = method + ("-per-channel" if per_channel else "")
        int8_model = os.path.join(workdir, f"digits.int8.{tag}.onnx")
        run([args.aicc, "quantize", float_model, "--calibration-data",
             calibration, "-o", int8_model, "--no-progress", *options])
        int8_pred = aicc_predict(args, int8_model, x_test_path, n, workdir,
                                 "int8-" + tag)
        quantized = onnx.load(int8_model)
        onnx.checker.check_model(quantized, full_check=True)
        ops = [node.op_type for node in quantized.graph.node]
        ort_pred = ort.InferenceSession(
            int8_model, providers=["CPUExecutionProvider"]).run(
                None, {"input": x_test})[0].argmax(1)
        int8_acc = 100.0 * (int8_pred == y_test).mean()
        ort_acc = 100.0 * (ort_pred == y_test).mean()
        print(f"  int8 {tag:22s} aicc {int8_acc:.2f}% "
              f"(loss {float_acc - int8_acc:+.2f} points), "
              f"ONNX Runtime {ort_acc:.2f}%; "
              f"{ops.count('QuantizeLinear')} QuantizeLinear, "
              f"{ops.count('DequantizeLinear')} DequantizeLinear")
        int8_weights = [t for t in quantized.graph.initializer
                        if t.data_type == onnx.TensorProto.INT8
                        and len(t.dims) >= 2]
        if ops.count("QuantizeLinear") < 5 or len(int8_weights) != 4:
            failures.append(f"{tag}: expected 4 int8 weights and activation "
                            f"QDQs, found {len(int8_weights)} int8 weights "
                            f"and {ops.count('QuantizeLinear')} "
                            "QuantizeLinear")
        if float_acc - int8_acc > max_loss:
            failures.append(f"{tag}: int8 loses {float_acc - int8_acc:.2f} "
                            f"points (at most {max_loss})")
        if (ort_pred != int8_pred).sum() > 2:
            failures.append(f"{tag}: aicc and ONNX Runtime disagree on "
                            f"{(ort_pred != int8_pred).sum()} of {n} int8 "
                            "predictions")
        if method == "minmax" and not per_channel:
            # Quantize in memory, then compile: the same model.
            direct_pred = aicc_predict(
                args, float_model, x_test_path, n, workdir, "direct",
                ["--quantize=int8", "--calibration-data", calibration,
                 "--no-progress"])
            if (direct_pred != int8_pred).any():
                failures.append("aicc --quantize=int8 and the written QDQ "
                                "model disagree")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
