"""float8 and int4 tensors through the Python API: one byte per element
(float8 bit patterns as uint8, int4 values as int8; docs/Artifact.md), and
int4 inputs outside [-8, 7] rejected."""
import ml_dtypes
import numpy as np
import pytest
from onnx import TensorProto, helper

import aicc


@pytest.fixture(scope="module")
def narrow():
    graph = helper.make_graph(
        [helper.make_node("Cast", ["x"], ["y8"], to=TensorProto.FLOAT8E5M2),
         helper.make_node("Cast", ["q"], ["f"], to=TensorProto.FLOAT)],
        "narrow",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("q", TensorProto.INT4, [3])],
        [helper.make_tensor_value_info("y8", TensorProto.FLOAT8E5M2, [4]),
         helper.make_tensor_value_info("f", TensorProto.FLOAT, [3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    return aicc.load(aicc.compile(model))


def test_signature_uses_byte_dtypes(narrow):
    assert [(t.name, t.dtype) for t in narrow.inputs] == [
        ("x", np.float32), ("q", np.int8)]
    assert [(t.name, t.dtype) for t in narrow.outputs] == [
        ("y8", np.uint8), ("f", np.float32)]


def test_values_match_ml_dtypes(narrow):
    x = np.array([0.3, -70000.0, 1e-6, np.inf], np.float32)
    q = np.array([-8, 0, 7], np.int8)
    got = narrow(x=x, q=q)
    expected = np.clip(x, -57344, 57344).astype(ml_dtypes.float8_e5m2)
    np.testing.assert_array_equal(got["y8"], expected.view(np.uint8))
    np.testing.assert_array_equal(got["f"], q.astype(np.float32))


def test_int4_input_out_of_range(narrow):
    with pytest.raises(ValueError, match=r"input 'q': element 1 is 100, "
                                         r"outside the range \[-8, 7\] of i4"):
        narrow(x=np.zeros(4, np.float32), q=np.array([1, 100, 0], np.int8))


def test_random_inputs_stay_in_range(narrow):
    # An int4 input gets values the runtime accepts (it rejects 8 and 9).
    feed = narrow.random_inputs(seed=3)
    assert feed["q"].dtype == np.int8
    assert feed["q"].min() >= -8 and feed["q"].max() <= 7
    narrow(feed)
