"""Writes the calibration data folders of calibration-data.test into argv[1]
(and, given argv[2] = two-inputs.onnxtxt, that model with external data)
for Inputs/two-inputs.onnxtxt (inputs a and b, float[2,3])."""
import os
import sys

import numpy as np

root = sys.argv[1]


def save(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, array)


a = [np.full((2, 3), -2, np.float32), np.full((2, 3), 2, np.float32)]
b = [np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)]
for i in range(2):
    save(f"{root}/folders/a/{i}.npy", a[i])
    save(f"{root}/folders/b/{i}.npy", b[i])
    os.makedirs(f"{root}/npz", exist_ok=True)
    np.savez(f"{root}/npz/{i}.npz", a=a[i], b=b[i])
os.makedirs(f"{root}/empty", exist_ok=True)
save(f"{root}/flat/0.npy", a[0])
save(f"{root}/missing/a/0.npy", a[0])
save(f"{root}/missing/a/1.npy", a[1])
save(f"{root}/missing/b/0.npy", b[0])
save(f"{root}/no-b/a/0.npy", a[0])
save(f"{root}/stray/a/0.npy", a[0])
save(f"{root}/stray/b/0.npy", b[0])
save(f"{root}/stray/c/0.npy", b[0])
save(f"{root}/f64/a/0.npy", a[0])
save(f"{root}/f64/b/0.npy", b[0].astype(np.float64))
save(f"{root}/shape/a/0.npy", a[0].reshape(3, 2))
save(f"{root}/shape/b/0.npy", b[0])
os.makedirs(f"{root}/npz-key", exist_ok=True)
np.savez(f"{root}/npz-key/0.npz", a=a[0], c=b[0])
os.makedirs(f"{root}/npz-compressed", exist_ok=True)
np.savez_compressed(f"{root}/npz-compressed/0.npz", a=a[0], b=b[0])

# two-inputs.onnxtxt with its weight in an external data file.
if len(sys.argv) > 2:
    import onnx
    import onnx.parser

    with open(sys.argv[2]) as f:
        model = onnx.parser.parse_model(f.read())
    os.makedirs(f"{root}/external", exist_ok=True)
    onnx.save(model, f"{root}/external/model.onnx", save_as_external_data=True,
              all_tensors_to_one_file=True, location="weights.bin",
              size_threshold=0)
