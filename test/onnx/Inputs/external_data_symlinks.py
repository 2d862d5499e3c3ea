"""Writes ONNX models whose initializer 'w' (float[2]) lives in external data
reached through symbolic links, for external-data-symlinks.test.

Usage: external_data_symlinks.py <output directory>

Layout under the output directory:
  outside/secret.bin          a file outside the model's directory
  model/good.bin              a regular file inside (positive case)
  model/inner.bin -> good.bin a link that stays inside (positive case)
  model/link.bin -> ../outside/secret.bin      a link that leaves
  model/linkdir -> ../outside                  a linked directory that leaves
  model/sub/                  a directory named as the location
and one model per location: good, inner, link, linkdir, sub.
"""
import os
import struct
import sys

import onnx
from onnx import TensorProto as T, helper

out_dir = sys.argv[1]
model_dir = os.path.join(out_dir, "model")
outside_dir = os.path.join(out_dir, "outside")
os.makedirs(model_dir)
os.makedirs(outside_dir)
os.makedirs(os.path.join(model_dir, "sub"))
with open(os.path.join(model_dir, "good.bin"), "wb") as f:
    f.write(struct.pack("<2f", 1.5, -2.0))
with open(os.path.join(outside_dir, "secret.bin"), "wb") as f:
    f.write(struct.pack("<2f", 7.0, 7.0))
os.symlink("good.bin", os.path.join(model_dir, "inner.bin"))
os.symlink("../outside/secret.bin", os.path.join(model_dir, "link.bin"))
os.symlink("../outside", os.path.join(model_dir, "linkdir"))


def write_model(name, location):
    t = onnx.TensorProto()
    t.name = "w"
    t.data_type = T.FLOAT
    t.dims.extend([2])
    t.data_location = T.EXTERNAL
    for k, v in (("location", location), ("offset", "0"), ("length", "8")):
        e = t.external_data.add()
        e.key, e.value = k, v
    graph = helper.make_graph(
        [], "g", [], [helper.make_tensor_value_info("w", T.FLOAT, [2])],
        initializer=[t])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, os.path.join(model_dir, name + ".onnx"))


write_model("good", "good.bin")
write_model("inner", "inner.bin")
write_model("link", "link.bin")
write_model("linkdir", "linkdir/secret.bin")
write_model("sub", "sub")
