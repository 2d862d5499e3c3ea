"""Inputs that end where the caller's memory ends.

A kernel's last vector of a row may read (never write) past the row's end,
up to the runtime's slack of 1 KiB (docs/Runtime.md, "Memory a kernel may
read"). The runtime's own buffers carry that slack; a caller's input whose
slack would reach into another page is staged. Each case puts every input
right before a PROT_NONE page (staged) and 1 KiB before it (read in place:
this checks the kernels stay within the slack), in a child process so that
a fault fails the case instead of the test run, and compares the output
with ONNX Runtime's.
"""
import ctypes
import mmap
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import aicc

PAGE = mmap.PAGESIZE
SLACK = 1024


def _conv(rng, cin, cout, hw, k=1, pad=0, stride=1, group=1):
    w = rng.standard_normal((cout, cin // group, k, k)).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w"], ["y"], pads=[pad] * 4,
                            strides=[stride] * 2, group=group)
    return [node], {"x": [1, cin, hw[0], hw[1]]}, [numpy_helper.from_array(w, "w")]


def _matmul(rng, m, k, n, constant=True):
    node = helper.make_node("MatMul", ["x", "w"], ["y"])
    if constant:
        w = rng.standard_normal((k, n)).astype(np.float32)
        return [node], {"x": [m, k]}, [numpy_helper.from_array(w, "w")]
    return [node], {"x": [m, k], "w": [k, n]}, []


def _expand_depthwise(rng, cin, cout, hw, stride):
    """A 1x1 conv (a short reduction) whose output feeds a depthwise 3x3
    conv: one kernel that computes the expand conv per row of the folded
    pad, its register tile's last vector rounded up past the row."""
    w = rng.standard_normal((cout, cin, 1, 1)).astype(np.float32)
    d = rng.standard_normal((cout, 1, 3, 3)).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w"], ["e"]),
             helper.make_node("Conv", ["e", "d"], ["y"], pads=[1] * 4,
                              strides=[stride] * 2, group=cout)]
    return nodes, {"x": [1, cin, hw[0], hw[1]]}, [
        numpy_helper.from_array(w, "w"), numpy_helper.from_array(d, "d")]


CASES = {
    # Blocked 1x1 conv tiles on 56- and 28-wide rows (4 vectors per tile).
    "conv1x1_64_256_56": lambda r: _conv(r, 64, 256, (56, 56)),
    "conv1x1_256_64_56": lambda r: _conv(r, 256, 64, (56, 56)),
    "conv1x1_128_512_28": lambda r: _conv(r, 128, 512, (28, 28)),
    "conv3x3_64_56": lambda r: _conv(r, 64, 64, (56, 56), 3, 1),
    "conv3x3_s2": lambda r: _conv(r, 64, 128, (56, 56), 3, 1, 2),
    "conv7x7_stem": lambda r: _conv(r, 3, 64, (224, 224), 7, 3, 2),
    "depthwise_3x3": lambda r: _conv(r, 144, 144, (56, 56), 3, 1, 1, 144),
    # Expand -> depthwise kernels reading their input in rounded-up vectors
    # (56- and 28-wide rows).
    "expand_depthwise_56": lambda r: _expand_depthwise(r, 24, 144, (56, 56), 1),
    "expand_depthwise_28_s2": lambda r: _expand_depthwise(r, 32, 192, (28, 28), 2),
    "conv_odd": lambda r: _conv(r, 5, 7, (9, 11), 3, 1),
    "matmul_n100": lambda r: _matmul(r, 128, 768, 100),
    "matmul_inputs": lambda r: _matmul(r, 33, 17, 45, constant=False),
    "softmax_odd": lambda r: ([helper.make_node("Softmax", ["x"], ["y"], axis=-1)],
                              {"x": [5, 37]}, []),
}


def _model(name):
    nodes, inputs, inits = CASES[name](np.random.default_rng(0))
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
         for n, s in inputs.items()],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                             ir_version=8), inputs


def _before_guard_page(shape, gap):
    """A float32 array of `shape` whose last byte is `gap` bytes before a
    PROT_NONE page; returns it and its mapping (keep both alive)."""
    nbytes = int(np.prod(shape)) * 4
    pages = (nbytes + gap + PAGE - 1) // PAGE + 1
    mapping = mmap.mmap(-1, pages * PAGE)
    base = ctypes.addressof(ctypes.c_char.from_buffer(mapping))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    assert libc.mprotect(base + (pages - 1) * PAGE, PAGE, 0) == 0
    offset = (pages - 1) * PAGE - gap - nbytes
    array = np.frombuffer(mapping, dtype=np.uint8, count=nbytes, offset=offset)
    return array.view(np.float32).reshape(shape), mapping


def _child(name, artifact):
    """Runs in the child: prints the largest error relative to the output's
    scale, over both placements."""
    import onnxruntime as ort
    model, inputs = _model(name)
    module = aicc.load(artifact)
    rng = np.random.default_rng(1)
    values = {n: rng.standard_normal(s).astype(np.float32)
              for n, s in inputs.items()}
    ref = ort.InferenceSession(model.SerializeToString(),
                               providers=["CPUExecutionProvider"]).run(
                                   None, values)[0]
    worst = 0.0
    for gap in (0, SLACK):
        feed, keep = {}, []
        for n, s in inputs.items():
            array, mapping = _before_guard_page(s, gap)
            array[...] = values[n]
            feed[n] = array
            keep.append(mapping)
        out = module.run(feed)["y"]
        worst = max(worst, float(np.abs(out - ref).max() / np.abs(ref).max()))
    print(worst)


@pytest.mark.parametrize("name", sorted(CASES))
def test_input_before_unmapped_page(name, tmp_path):
    model, _ = _model(name)
    artifact = tmp_path / f"{name}.aicc"
    aicc.compile(model, "avx512", output=artifact)
    r = subprocess.run([sys.executable, __file__, name, str(artifact)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"rc={r.returncode}: {r.stderr[-2000:]}"
    assert float(r.stdout.strip().splitlines()[-1]) < 1e-5


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
