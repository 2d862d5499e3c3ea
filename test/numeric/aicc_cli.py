"""Compiles an ONNX model with the aicc tool and runs it with aicc-run, for
the numeric tests of this folder that compare aicc with a reference."""
import os
import subprocess

import numpy as np


def compile_and_run(aicc, aicc_run, target, model_path, feeds, output_names,
                    work, stem):
    """Returns ({output name: array}, None), or (None, the first failing
    tool's error). Files go to WORK, named after STEM."""
    artifact = os.path.join(work, stem + ".aicc")
    run = [aicc_run, artifact]
    for name, value in feeds.items():
        path = os.path.join(work, f"{stem}.{name}.npy")
        np.save(path, value)
        run += ["--input", f"{name}=@{path}"]
    outputs = {o: os.path.join(work, f"{stem}.{o}.npy") for o in output_names}
    for name, path in outputs.items():
        run += ["--output", f"{name}=@{path}"]
    for cmd in ([aicc, model_path, "--target=" + target, "-o", artifact], run):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            return None, (f"{os.path.basename(cmd[0])} rc={r.returncode}: "
                          f"{r.stderr.strip()}")
    return {name: np.load(path) for name, path in outputs.items()}, None
