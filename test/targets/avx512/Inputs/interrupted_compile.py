"""Interrupts an avx512 compile while it writes kernel objects and checks
that it leaves nothing in TMPDIR and dies of the signal.

usage: interrupted_compile.py AICC WORKDIR SIGNAL

The model is a chain of 48 convs of distinct shapes (48 kernels, several
seconds of Halide compiles), so the compile is still running when its
scratch directory first holds a kernel object; SIGNAL (INT or TERM) is sent
then.
"""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model():
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    c, x = 3, "x"
    for i in range(48):
        f = 4 + i  # a distinct output channel count: a distinct kernel each
        w = rng.standard_normal((f, c, 3, 3)).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        nodes.append(helper.make_node("Conv", [x, f"w{i}"], [f"y{i}"],
                                      pads=[1, 1, 1, 1]))
        c, x = f, f"y{i}"
    g = helper.make_graph(
        nodes, "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, c, 16, 16])],
        inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def main():
    aicc, work, sig = sys.argv[1], sys.argv[2], sys.argv[3]
    tmp = os.path.join(work, "tmp")
    os.makedirs(tmp, exist_ok=True)
    path = os.path.join(work, "chain.onnx")
    onnx.save(model(), path)
    env = dict(os.environ, TMPDIR=tmp)
    p = subprocess.Popen([aicc, path, "--target=avx512", "-o",
                          os.path.join(work, "chain.aicc")], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    seen = None
    while seen is None and p.poll() is None and time.monotonic() < deadline:
        for d in os.listdir(tmp):
            full = os.path.join(tmp, d)
            if d.startswith("aicc-avx512") and any(
                    n.endswith(".o") for n in os.listdir(full)):
                seen = sorted(os.listdir(full))
        time.sleep(0.01)
    if seen is None:
        p.kill()
        print(f"FAIL: the compile ended (rc {p.returncode}) before it wrote "
              "a kernel object to its scratch directory")
        return 1
    p.send_signal(getattr(signal, "SIG" + sig))
    rc = p.wait(timeout=60)
    left = [os.path.join(dp, n) for dp, ds, fs in os.walk(tmp) for n in ds + fs]
    print(f"interrupted after {len(seen)} scratch files; rc {rc}; "
          f"left in TMPDIR: {left}")
    return 0 if rc < 0 and not left else 1


if __name__ == "__main__":
    sys.exit(main())
