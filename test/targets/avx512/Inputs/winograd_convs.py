"""Writes the models of winograd-convs.test with random inputs and their
outputs computed with NumPy in float64: 3x3 stride-1 convs (pads 1) on maps
whose sides are not multiples of the 2x2 tile, channel counts not multiples
of 16 (or 8), batch 2, with and without bias, with ReLU and residual Add
epilogues.
  a: batch 2, 72 -> 88 channels, 23x25, bias + ReLU.
  b: batch 2, 64 -> 64, 33x31 (272 tiles: the extern per block of the
     epilogue; the others compute the whole output in parallel phases), no
     bias, + residual r, ReLU.
  c: 5 -> 37 channels, 23x23, bias, no epilogue (Winograd only with
     AICC_WINOGRAD_MIN_CHANNELS=1).
  d: Relu(x) -> conv 64 -> 80, 24x24, bias -> Add(x2) (the conv's input
     computed in the model).
  e: a conv without padding, 64 -> 64, 20x22 -> 18x20, bias + ReLU (the
     kernel reads the input as it is; a-d read zeros around theirs).
  f: asymmetric pads (top 1, left 2, bottom 2, right 1), 64 -> 72, 21x19 ->
     22x20, bias (the padded input computed in the kernel)."""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(5)


def conv(x, w, b, pad=1):
    """NCHW 3x3 conv, stride 1, float64; pad: ONNX pads or one for all."""
    t, l, bo, r = pad if isinstance(pad, list) else [pad] * 4
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (t, bo), (l, r)))
    n, c, h, wd = xp.shape
    h, wd = h - 2, wd - 2
    f = w.shape[0]
    y = np.zeros((n, f, h, wd))
    for i in range(3):
        for j in range(3):
            y += np.einsum("nchw,fc->nfhw", xp[:, :, i:i + h, j:j + wd],
                           w[:, :, i, j].astype(np.float64))
    if b is not None:
        y += b[None, :, None, None]
    return y


def model(name, n, c, f, h, w, bias, residual, relu, pre_relu=False, pad=1):
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = (rng.standard_normal((f, c, 3, 3)) / np.sqrt(9 * c)).astype(np.float32)
    b = (0.1 * rng.standard_normal(f)).astype(np.float32) if bias else None
    inputs = [vi("x", TensorProto.FLOAT, [n, c, h, w])]
    inits = [numpy_helper.from_array(wt, "w")]
    src = "x"
    nodes = []
    if pre_relu:
        nodes.append(helper.make_node("Relu", ["x"], ["xr"]))
        src = "xr"
    args = [src, "w"]
    if bias:
        inits.append(numpy_helper.from_array(b, "b"))
        args.append("b")
    nodes.append(helper.make_node("Conv", args, ["c"], kernel_shape=[3, 3],
                                  pads=pad if isinstance(pad, list)
                                  else [pad] * 4))
    y = conv(np.maximum(x, 0) if pre_relu else x, wt, b, pad)
    h, w = y.shape[2:]
    last = "c"
    if residual:
        r = rng.standard_normal((n, f, h, w)).astype(np.float32)
        inputs.append(vi("r", TensorProto.FLOAT, [n, f, h, w]))
        nodes.append(helper.make_node("Add", [last, "r"], ["a"]))
        last = "a"
        y = y + r
        np.save(os.path.join(out, name + ".r.npy"), r)
    if relu:
        nodes.append(helper.make_node("Relu", [last], ["y"]))
        y = np.maximum(y, 0)
    else:
        nodes.append(helper.make_node("Identity", [last], ["y"]))
    save(name, nodes, inputs, [vi("y", TensorProto.FLOAT, [n, f, h, w])], inits)
    np.save(os.path.join(out, name + ".x.npy"), x)
    np.save(os.path.join(out, name + ".y.npy"), y.astype(np.float32))


model("a", 2, 72, 88, 23, 25, bias=True, residual=False, relu=True)
model("b", 2, 64, 64, 33, 31, bias=False, residual=True, relu=True)
model("c", 1, 5, 37, 23, 23, bias=True, residual=False, relu=False)
model("d", 1, 64, 80, 24, 24, bias=True, residual=True, relu=False,
      pre_relu=True)
model("e", 1, 64, 64, 20, 22, bias=True, residual=False, relu=True, pad=0)
# ONNX pads: x1_begin (top), x2_begin (left), x1_end, x2_end.
model("f", 1, 64, 72, 21, 19, bias=True, residual=False, relu=False,
      pad=[1, 2, 2, 1])
