"""Writes a gpu-bundle-run case into DIR (its model.aicc is compiled by the
test): a Relu's input and NumPy's expected output, plus WRONG's expected
output off by one in one element, so the runner must tell them apart."""
import json
import os
import sys

import numpy as np

case_dir, expected_shift = sys.argv[1], float(sys.argv[2])
x = np.random.default_rng(0).standard_normal((2, 16)).astype(np.float32)
y = np.maximum(x, 0)
y[1, 3] += expected_shift
np.save(os.path.join(case_dir, "in_0.npy"), x)
np.save(os.path.join(case_dir, "expected_0.npy"), y)
with open(os.path.join(case_dir, "case.json"), "w") as f:
    json.dump({"name": os.path.basename(case_dir), "inputs": [["x", "in_0.npy"]],
               "outputs": [{"name": "y", "file": "expected_0.npy", "dtype": "float32",
                            "rtol": 1e-5, "atol": 1e-6, "op": "Relu"}],
               "benchmark": 3}, f)
