"""Compiles an ONNX model with the aicc tool and runs it with aicc-run, for
the numeric tests of this folder that compare aicc with a reference."""
import argparse
import os
import subprocess

import numpy as np


def tool_parser(description=None):
    """The command line every test of this folder takes (--aicc, --aicc-run,
    --target); a test adds its own options to it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--aicc", required=True)
    parser.add_argument("--aicc-run", required=True)
    parser.add_argument("--target", default="avx512")
    return parser


def compile_and_run(aicc, aicc_run, target, model_path, feeds, output_names,
                    work, stem):
    """Returns ({output name: array}, None), or (None, the first failing
    tool's error). Files go to WORK, named after STEM."""
    artifact = os.path.join(work, stem + ".aicc")
    r = subprocess.run([aicc, model_path, "--target=" + target, "-o", artifact],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, f"{os.path.basename(aicc)} rc={r.returncode}: {r.stderr.strip()}"
    outputs, r = run_artifact(aicc_run, artifact, feeds, output_names, work, stem)
    if outputs is None:
        return None, (f"{os.path.basename(aicc_run)} rc={r.returncode}: "
                      f"{r.stderr.strip()}")
    return outputs, None


def run_artifact(aicc_run, artifact, feeds, output_names, work, stem):
    """Runs ARTIFACT with aicc-run on FEEDS (a dict of arrays, written to
    WORK as STEM.<name>.npy). Returns ({output name: array}, the completed
    process), or (None, the completed process) when aicc-run fails."""
    cmd = [aicc_run, artifact]
    for name, value in feeds.items():
        path = os.path.join(work, f"{stem}.{name}.npy")
        np.save(path, value)
        cmd += ["--input", f"{name}=@{path}"]
    paths = {o: os.path.join(work, f"{stem}.{o}.npy") for o in output_names}
    for name, path in paths.items():
        cmd += ["--output", f"{name}=@{path}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, r
    return {n: np.load(p) for n, p in paths.items()}, r


def first_mismatch(names, got, want, rtol, atol, equal_nan=False,
                   reference="the reference"):
    """The first output of NAMES whose value in GOT (a dict) differs from
    WANT (a list in the same order): dtype and shape exactly, floats within
    rtol/atol, other types exactly. Returns a message, or None."""
    for name, w in zip(names, want):
        g, w = got[name], np.asarray(w)
        if g.shape != w.shape or g.dtype != w.dtype:
            return f"{name}: {g.dtype}{g.shape}, {reference} {w.dtype}{w.shape}"
        if np.issubdtype(w.dtype, np.floating):
            if not np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=equal_nan):
                worst = np.max(np.abs(g - w))
                return f"{name}: max abs error {worst}"
        elif not np.array_equal(g, w):
            return f"{name}: {g.tolist()} != {w.tolist()}"
    return None
