"""Writes parallel_split.onnx: a Relu of a [1, 3, 64, 64] tensor (3
channels, the outermost dim with several iterations, fewer than the tasks
two to four threads balance on) and a Sigmoid of a [1, 4, 8, 8] tensor
(256 elements, too few to split), random inputs and the outputs computed
with NumPy."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(__file__))
from onnx_models import saver, vi  # noqa: E402

out = sys.argv[1]
save = saver(out)
rng = np.random.default_rng(7)
a = rng.standard_normal((1, 3, 64, 64)).astype(np.float32)
b = rng.standard_normal((1, 4, 8, 8)).astype(np.float32)
nodes = [
    helper.make_node("Relu", ["a"], ["y"]),
    helper.make_node("Sigmoid", ["b"], ["z"]),
]
save("parallel_split", nodes,
     [vi("a", TensorProto.FLOAT, [1, 3, 64, 64]),
      vi("b", TensorProto.FLOAT, [1, 4, 8, 8])],
     [vi("y", TensorProto.FLOAT, [1, 3, 64, 64]),
      vi("z", TensorProto.FLOAT, [1, 4, 8, 8])], [])
np.save(os.path.join(out, "a.npy"), a)
np.save(os.path.join(out, "b.npy"), b)
np.save(os.path.join(out, "y.npy"), np.maximum(a, 0))
np.save(os.path.join(out, "z.npy"),
        (1 / (1 + np.exp(-b.astype(np.float64)))).astype(np.float32))
