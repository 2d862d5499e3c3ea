"""Shared fixtures: the models the tests compile, each once per session.

The package under test is the one on PYTHONPATH (ctest points it at
build/python); AICC_SOURCE_DIR locates examples/.
"""
import os
import pathlib

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import aicc

SOURCE_DIR = pathlib.Path(os.environ.get(
    "AICC_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
TINY_CNN = SOURCE_DIR / "examples" / "tiny-cnn.onnx"


def make_mlp() -> onnx.ModelProto:
    """Two inputs (float features, int64 token ids): an embedding lookup
    added to the features, then MatMul+Add+Relu, MatMul+Add, Softmax; two
    outputs. Symbolic batch."""
    rng = np.random.default_rng(1)
    def init(name, *shape):
        return numpy_helper.from_array(
            rng.normal(0, 0.5, size=shape).astype(np.float32), name)
    nodes = [
        helper.make_node("Gather", ["table", "ids"], ["emb"], name="embed", axis=0),
        helper.make_node("Add", ["x", "emb"], ["h0"], name="add_emb"),
        helper.make_node("MatMul", ["h0", "w1"], ["m1"], name="fc1"),
        helper.make_node("Add", ["m1", "b1"], ["a1"], name="fc1_bias"),
        helper.make_node("Relu", ["a1"], ["hidden"], name="relu"),
        helper.make_node("MatMul", ["hidden", "w2"], ["m2"], name="fc2"),
        helper.make_node("Add", ["m2", "b2"], ["logits"], name="fc2_bias"),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16]),
         helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 8]),
         helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 8])],
        [init("table", 10, 16), init("w1", 16, 32), init("b1", 32),
         init("w2", 32, 8), init("b2", 8)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def mlp_feed(batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((batch, 16)).astype(np.float32),
            "ids": rng.integers(0, 10, (batch,)).astype(np.int64)}


@pytest.fixture(scope="session")
def tiny_cnn_artifact() -> bytes:
    return aicc.compile(str(TINY_CNN))


@pytest.fixture(scope="session")
def tiny_cnn(tiny_cnn_artifact) -> aicc.Module:
    return aicc.load(tiny_cnn_artifact)


@pytest.fixture(scope="session")
def mlp_model() -> onnx.ModelProto:
    return make_mlp()


@pytest.fixture(scope="session")
def mlp(mlp_model) -> aicc.Module:
    return aicc.load(aicc.compile(mlp_model, dims={"batch": 4}))


@pytest.fixture(scope="session")
def ort():
    return pytest.importorskip("onnxruntime")
