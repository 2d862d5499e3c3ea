"""The model of many-buffers.test, compiled and run with the aicc package
and compared with NumPy."""
import numpy as np
from onnx import TensorProto, helper

import aicc

n_concat, n_sum = 100, 70
inputs = [helper.make_tensor_value_info(f"x{i}", TensorProto.FLOAT, [2, 3])
          for i in range(n_concat)]
nodes = [helper.make_node("Concat", [f"x{i}" for i in range(n_concat)], ["cat"],
                          name="cat", axis=0),
         helper.make_node("Sum", [f"x{i}" for i in range(n_sum)], ["sum"], name="sum")]
graph = helper.make_graph(nodes, "many", inputs, [
    helper.make_tensor_value_info("cat", TensorProto.FLOAT, [2 * n_concat, 3]),
    helper.make_tensor_value_info("sum", TensorProto.FLOAT, [2, 3])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
module = aicc.load(aicc.compile(model, target="avx512"))
feed = module.random_inputs(seed=1)
got = module(feed)
xs = [feed[f"x{i}"] for i in range(n_concat)]
np.testing.assert_array_equal(got["cat"], np.concatenate(xs, axis=0))
np.testing.assert_allclose(got["sum"], np.sum(xs[:n_sum], axis=0), rtol=1e-6, atol=1e-6)
print("ok: concat of", n_concat, "and sum of", n_sum)
