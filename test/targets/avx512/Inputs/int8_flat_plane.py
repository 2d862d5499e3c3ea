"""Writes int8_flat_plane.onnx: 1x1 QLinearConvs of stride 1 on maps whose
rows are not a whole number of 16-pixel vectors, the pointwise convs
aicc computes over the flattened H x W plane (VectorLayout.cpp,
flatPlaneTile), each with its own output:

- y1: 64 -> 256 on 14x14 (196 pixels: 7 tiles of 32, the last rounded up
  past the plane), its u8 result added to the residual r1 by a
  com.microsoft QLinearAdd (ResNet-50's layer3 conv3 + Add, one kernel);
- y2: 64 -> 40 on 20x20, batch 2 (400 pixels per image, rounded up);
- y3: 64 -> 24 on 12x12, batch 2 (144 pixels: 3 tiles of 48, exact);
- y4: 64 -> 64 on 56x56 (3136 pixels, one plane x 8 channels a task).

- y5: 24 -> 48 on 56x56, a reduction too short to flatten (row tiles);
- y6: a 3x3 conv (pads 1) 16 -> 16 on 56x56, not flattened: its row tile
  of 2 vectors x 8 output channels;
- y7: a 3x3 conv (pads 1) 64 -> 32 on 28x28: a reduction of 576 steps,
  vectors along the output channels (a 28-wide row would fill one vector
  tile of 16 rows to 87.5%).

u8 activations with nonzero zero points, s8 per-channel weights, int32
biases; also random inputs and the outputs ONNX Runtime computes (the
reference)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import init, ort_reference, qlinear_conv_weights, vi  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)
convs = [("1", 1, 64, 256, 14), ("2", 2, 64, 40, 20), ("3", 2, 64, 24, 12),
         ("4", 1, 64, 64, 56), ("5", 1, 24, 48, 56), ("6", 1, 16, 16, 56),
         ("7", 1, 64, 32, 28)]
nodes, inputs, outputs, inits, feeds = [], [], [], [], {}
for name, n, c, f, hw in convs:
    x, y = "x" + name, "y" + name
    inits += [init(x + "s", np.float32(0.02)), init(x + "z", np.uint8(100 + int(name)))]
    k = 3 if name in ("6", "7") else 1
    inits += qlinear_conv_weights(rng, "c" + name, (f, c, k, k),
                                  0.03 * (c * k * k / 32) ** 0.5, 120)
    p = "c" + name
    conv = y if name != "1" else "t1"
    nodes.append(helper.make_node(
        "QLinearConv", [x, x + "s", x + "z", p + "w", p + "ws", p + "wz", p + "ys", p + "yz",
                        p + "b"], [conv], pads=[k // 2] * 4))
    inputs.append(vi(x, TensorProto.UINT8, [n, c, hw, hw]))
    outputs.append(vi(y, TensorProto.UINT8, [n, f, hw, hw]))
    feeds[x] = rng.integers(0, 256, (n, c, hw, hw), dtype=np.uint8)
inits += [init("rs", np.float32(0.05)), init("rz", np.uint8(90)),
          init("ys1", np.float32(0.06)), init("yz1", np.uint8(30))]
nodes.append(helper.make_node(
    "QLinearAdd", ["t1", "c1ys", "c1yz", "r1", "rs", "rz", "ys1", "yz1"], ["y1"],
    domain="com.microsoft"))
inputs.append(vi("r1", TensorProto.UINT8, [1, 256, 14, 14]))
feeds["r1"] = rng.integers(0, 256, (1, 256, 14, 14), dtype=np.uint8)
graph = helper.make_graph(nodes, "int8_flat_plane", inputs, outputs, initializer=inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                helper.make_opsetid("com.microsoft", 1)])
model.ir_version = 8  # what this ONNX Runtime reads
import onnx  # noqa: E402
onnx.save(model, os.path.join(out, "int8_flat_plane.onnx"))
ys = ort_reference(os.path.join(out, "int8_flat_plane.onnx"), feeds)
for k, v in feeds.items():
    np.save(os.path.join(out, k + ".npy"), v)
for (name, *_), y in zip(convs, ys):
    # Not saturated: most outputs inside 1..254, so a wrong sum shows.
    assert ((y > 0) & (y < 255)).mean() > 0.6, (name, ((y > 0) & (y < 255)).mean())
    np.save(os.path.join(out, "y" + name + ".npy"), y)
